"""Converts an XLSForm with pyxform, as KoboToolbox and ODK Central do, and
prints what the XForm it writes holds, as JSON, for the Go test to compare
with the instrument:

  python3 convert.py FORM.xlsx

{"title", "id", "languages": [...], "warnings": [...],
 "binds": {name: {"type", "relevant", "constraint", "calculate", "required"}},
 "controls": {name: {"tag", "list", "filter"}},
 "instances": {list: [choice names]}}

A form pyxform refuses is an error on stderr and exit status 1.
"""

import json
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pyxform.xls2xform import convert  # noqa: E402

XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"


def last_step(path):
    return path.rstrip("/").split("/")[-1]


def main(path):
    warnings = []
    try:
        result = convert(xlsform=path, warnings=warnings)
    except Exception as e:  # pyxform's own refusals, and its failures
        print(f"pyxform refused {path}: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
    root = ET.fromstring(result.xform)
    head = root.find(H + "head")
    model = head.find(XF + "model")
    out = {
        "title": head.findtext(H + "title"),
        "languages": [t.get("lang") for t in model.iter(XF + "translation")],
        "warnings": warnings,
        "binds": {},
        "controls": {},
        "instances": {},
    }
    instances = model.findall(XF + "instance")
    out["id"] = list(instances[0])[0].get("id")
    for inst in instances[1:]:
        items = inst.find(XF + "root")
        if items is not None:
            out["instances"][inst.get("id")] = [i.findtext(XF + "name") for i in items]
    for b in model.iter(XF + "bind"):
        out["binds"][last_step(b.get("nodeset"))] = {
            k: b.get(k) or "" for k in ("type", "relevant", "constraint", "calculate", "required")
        }
    body = root.find(H + "body")
    for tag in ("select1", "select", "input"):
        for c in body.iter(XF + tag):
            control = {"tag": tag, "list": "", "filter": ""}
            itemset = c.find(XF + "itemset")
            if itemset is not None:
                nodeset = itemset.get("nodeset")  # instance('list')/root/item[filter]
                control["list"] = nodeset.split("'")[1] if nodeset.startswith("instance('") else ""
                if "[" in nodeset:
                    control["filter"] = nodeset[nodeset.index("[") + 1 : nodeset.rindex("]")]
            out["controls"][last_step(c.get("ref"))] = control
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
