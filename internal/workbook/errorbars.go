package workbook

import (
	"bytes"
	"fmt"
	"strings"
)

// excelize (v2.11) writes no error bars, and a confidence interval drawn
// any other way (stacked bars, a stock chart's high-low lines) is not one
// to a reader who clicks on it. So the chart is written as excelize makes
// it, and its series is given custom error bars (c:errBars) that read the
// distances to the interval's ends from the sheet, on the way into the
// archive: Excel and LibreOffice then show, and let the reader edit,
// ordinary error bars.

// errorBar is a chart series, known by its values' reference, and the
// references of the distances below and above each value.
type errorBar struct{ values, minus, plus string }

// isChart says whether an archive path is a chart's XML.
func isChart(name string) bool {
	return strings.HasPrefix(name, "xl/charts/chart") && strings.HasSuffix(name, ".xml")
}

// addErrorBars gives the series of a chart's XML whose values are one of
// bars their error bars, and reports which it found. In a series the
// error bars come just before the categories (CT_LineSer: … dLbls,
// trendline, errBars, cat, val …).
func addErrorBars(chart []byte, bars []errorBar) ([]byte, []errorBar, error) {
	var found []errorBar
	for _, bar := range bars {
		at := bytes.Index(chart, []byte("<val><numRef><f>"+bar.values+"</f>"))
		if at < 0 {
			continue
		}
		cat := bytes.LastIndex(chart[:at], []byte("<cat>"))
		ser := bytes.LastIndex(chart[:at], []byte("<ser>"))
		if cat < 0 || cat < ser {
			return nil, nil, fmt.Errorf("chart series %s has no categories to put its error bars before", bar.values)
		}
		xml := fmt.Sprintf(`<errBars><errDir val="y"/><errBarType val="both"/><errValType val="cust"/><noEndCap val="0"/>`+
			`<plus><numRef><f>%s</f></numRef></plus><minus><numRef><f>%s</f></numRef></minus>`+
			`<spPr><a:ln w="15875"><a:solidFill><a:srgbClr val="1F4E79"/></a:solidFill></a:ln></spPr></errBars>`, bar.plus, bar.minus)
		chart = append(chart[:cat:cat], append([]byte(xml), chart[cat:]...)...)
		found = append(found, bar)
	}
	return chart, found, nil
}
