package survey

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Problem is one thing wrong with a definition file, at a line — or, in
// a spreadsheet, at a cell ("survey!C14").
type Problem struct {
	File    string
	Line    int
	Cell    string
	Message string
}

func (p Problem) String() string {
	if p.Cell != "" {
		return fmt.Sprintf("%s: %s: %s", p.File, p.Cell, p.Message)
	}
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// Problems is every problem found in one or more definitions. It is an error
// whose text lists them all, one per line, as file:line: message.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// MaxProblems is how many problems a definition reports: past it, one more
// says how many were left out, so a broken file of a million cells costs a
// short list, not a long one.
const MaxProblems = 100

// Capped keeps the first n problems and says how many more there were.
func (ps Problems) Capped(n int) Problems {
	if len(ps) <= n {
		return ps
	}
	out := slices.Clone(ps[:n])
	return append(out, Problem{File: ps[n].File, Message: fmt.Sprintf("… and %d more problem(s) not listed", len(ps)-n)})
}

// sorted puts the problems in the order of the file, and caps them.
func (ps Problems) sorted() Problems {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		if ps[i].Cell != ps[j].Cell {
			return cellLess(ps[i].Cell, ps[j].Cell)
		}
		return ps[i].Line < ps[j].Line
	})
	return ps.Capped(MaxProblems)
}

// Parse reads one instrument from YAML and checks it. name is used in
// problems (usually the file path). The instrument is returned only when there
// are no problems.
func Parse(name string, data []byte) (*Instrument, Problems) {
	var probs Problems
	add := func(line int, format string, args ...any) {
		probs = append(probs, Problem{File: name, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	if depth, at := yamlDepth(data); depth > MaxYAMLDepth {
		add(at, "the definition nests more than %d levels deep here (blocks, items and brackets together); an instrument nests fewer than 10", MaxYAMLDepth)
		return nil, probs
	}
	file, err := parseYAML(data)
	if err != nil {
		add(yamlErrorLine(err), "%s", yamlErrorMessage(err))
		return nil, probs
	}
	if len(file.Docs) == 0 || file.Docs[0].Body == nil {
		add(0, "empty definition: expected an instrument with id, version, languages, waves and sections")
		return nil, probs
	}
	if _, isMap := unwrap(file.Docs[0].Body).(*ast.MappingNode); !isMap && mappingPairs(unwrap(file.Docs[0].Body)) == nil {
		add(line(file.Docs[0].Body), "this is not an instrument definition: expected YAML keys (id, version, languages, waves, sections …); an XLSForm is uploaded as .xlsx or .xls")
		return nil, probs
	}
	if len(file.Docs) > 1 {
		add(file.Docs[1].GetToken().Position.Line, "one instrument per file: found a second YAML document")
	}
	// Aliases repeat what an anchor names without copying it in the file:
	// nested, a few lines can stand for billions of values ("billion
	// laughs"). Counted before decoding, with each anchor's size
	// remembered, so the count itself is cheap.
	if n := expandedSize(file.Docs[0].Body, map[string]int{}); n > maxExpandedNodes {
		add(0, "the definition expands to more than %d values through anchors and aliases (&name, *name): no questionnaire is that large", maxExpandedNodes)
		return nil, probs
	}
	in := &Instrument{}
	if err := decodeYAML(file.Docs[0].Body, in); err != nil {
		add(yamlErrorLine(err), "%s", yamlErrorMessage(err))
		annotate(file.Docs[0].Body, reflect.ValueOf(in), "instrument", add)
		return nil, probs.sorted()
	}
	annotate(file.Docs[0].Body, reflect.ValueOf(in), "instrument", add)
	if hasEmptyItem(reflect.ValueOf(in)) {
		// The checks below read every item: an empty one is said above.
		return nil, probs.sorted()
	}
	sum := sha256.Sum256(data)
	in.Source, in.Hash = name, hex.EncodeToString(sum[:])
	check(in, add)
	if len(probs) > 0 {
		return nil, probs.sorted()
	}
	in.index()
	return in, nil
}

// maxExpandedNodes bounds the values of a definition once aliases are
// expanded; the shipped instrument has about 1,500.
const maxExpandedNodes = 200000

// expandedSize counts the values node stands for with its aliases
// expanded, stopping early once past the bound.
func expandedSize(node ast.Node, anchors map[string]int) int {
	switch t := node.(type) {
	case nil:
		return 0
	case *ast.DocumentNode:
		return expandedSize(t.Body, anchors)
	case *ast.TagNode:
		return expandedSize(t.Value, anchors)
	case *ast.AnchorNode:
		n := expandedSize(t.Value, anchors)
		if t.Name != nil {
			anchors[t.Name.GetToken().Value] = n
		}
		return n
	case *ast.AliasNode:
		if t.Value != nil {
			if n, ok := anchors[t.Value.GetToken().Value]; ok {
				return n
			}
		}
		return 1
	case *ast.MappingNode:
		return 1 + sizeOfAll(t.Values, anchors)
	case *ast.MappingValueNode:
		return expandedSize(t.Key, anchors) + expandedSize(t.Value, anchors)
	case *ast.SequenceNode:
		return 1 + sizeOfAll(t.Values, anchors)
	}
	return 1
}

// sizeOfAll adds up the expanded sizes of a mapping's or a sequence's
// values, stopping once past the bound.
func sizeOfAll[N ast.Node](nodes []N, anchors map[string]int) int {
	n := 0
	for _, v := range nodes {
		if n += expandedSize(v, anchors); n > maxExpandedNodes {
			break
		}
	}
	return n
}

func yamlErrorLine(err error) int {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil && ye.GetToken().Position != nil {
		return ye.GetToken().Position.Line
	}
	return 0
}

func yamlErrorMessage(err error) string {
	var ye yaml.Error
	if errors.As(err, &ye) {
		return ye.GetMessage()
	}
	return err.Error()
}

// annotate walks the YAML tree beside the decoded value: it reports keys that
// no field takes (the decoder would silently drop them) and records the line
// of every element and key in the element's Pos.
func annotate(node ast.Node, v reflect.Value, where string, add func(int, string, ...any)) {
	node = unwrap(node)
	if node == nil {
		return
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		pairs := mappingPairs(node)
		if pairs == nil {
			return
		}
		fields := yamlFields(v.Type())
		pos := Pos{Line: line(node), Lines: map[string]int{}}
		for _, p := range pairs {
			key := p.Key.GetToken().Value
			kline := line(p.Key)
			pos.Lines[key] = kline
			idx, ok := fields[key]
			if !ok {
				add(kline, "unknown key %q in %s (allowed: %s)", key, where, strings.Join(sortedKeys(fields), ", "))
				continue
			}
			annotate(p.Value, v.Field(idx), key, add)
		}
		if len(pairs) > 0 {
			pos.Line = line(pairs[0].Key)
		}
		if f := v.FieldByName("Pos"); f.IsValid() && f.Type() == reflect.TypeOf(Pos{}) {
			f.Set(reflect.ValueOf(pos))
		}
	case reflect.Slice:
		seq, ok := node.(*ast.SequenceNode)
		if !ok {
			return
		}
		for i, item := range seq.Values {
			if i >= v.Len() {
				continue
			}
			if e := v.Index(i); e.Kind() == reflect.Pointer && e.IsNil() {
				add(line(item), "an empty item in %s (a dash with nothing after it): write the item out, or remove the dash", where)
				continue
			}
			annotate(item, v.Index(i), strings.TrimSuffix(where, "s"), add)
		}
	case reflect.Map:
		if v.Type().Elem().Kind() != reflect.Pointer {
			return
		}
		for _, p := range mappingPairs(node) {
			key := p.Key.GetToken().Value
			if mv := v.MapIndex(reflect.ValueOf(key)); mv.IsValid() && mv.IsNil() {
				add(line(p.Key), "%s %s is empty: write it out, or remove it", where, key)
			} else if mv.IsValid() {
				annotate(p.Value, mv, where+" "+key, add)
			}
		}
	}
}

// parseYAML and decodeYAML are the YAML library's parser and decoder, with
// a panic turned into an error: fuzzing found inputs ("waves: ![pre]", a
// tag before a flow sequence) on which the decoder dereferences nil, and a
// questionnaire upload must not take the service down with it.
func parseYAML(data []byte) (f *ast.File, err error) {
	defer recoverYAML(&err)
	return parser.ParseBytes(data, 0)
}

func decodeYAML(node ast.Node, v any) (err error) {
	defer recoverYAML(&err)
	return yaml.NodeToValue(node, v)
}

func recoverYAML(err *error) {
	if recover() != nil {
		*err = errors.New("the YAML reader could not make sense of this text: look for a tag (!) or an anchor (&, *) out of place")
	}
}

// hasEmptyItem says whether a list anywhere in v holds a nil item (what
// "waves:\n  -" decodes to).
func hasEmptyItem(v reflect.Value) bool {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return false
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && hasEmptyItem(v.Field(i)) {
				return true
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			e := v.Index(i)
			if (e.Kind() == reflect.Pointer && e.IsNil()) || hasEmptyItem(e) {
				return true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			e := it.Value()
			if (e.Kind() == reflect.Pointer && e.IsNil()) || hasEmptyItem(e) {
				return true
			}
		}
	}
	return false
}

func unwrap(n ast.Node) ast.Node {
	for {
		switch t := n.(type) {
		case *ast.DocumentNode:
			n = t.Body
		case *ast.TagNode:
			n = t.Value
		case *ast.AnchorNode:
			n = t.Value
		default:
			return n
		}
	}
}

func mappingPairs(n ast.Node) []*ast.MappingValueNode {
	switch t := n.(type) {
	case *ast.MappingNode:
		return t.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{t}
	}
	return nil
}

func line(n ast.Node) int {
	if n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

func yamlFields(t reflect.Type) map[string]int {
	fields := map[string]int{}
	for i := range t.NumField() {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag != "" && tag != "-" {
			fields[tag] = i
		}
	}
	return fields
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Set is the instruments the service knows, by id and version. The newest
// version of an id is the one new exchanges use; older ones stay for the
// exchanges that were run with them.
type Set struct {
	byID     map[string]*Instrument
	versions map[string][]*Instrument // oldest first
}

// NewSet builds a set from instruments; later ones replace earlier ones with
// the same id and version, which is how files on disk override the
// embedded ones.
func NewSet(ins ...*Instrument) *Set {
	s := &Set{byID: map[string]*Instrument{}, versions: map[string][]*Instrument{}}
	for _, in := range ins {
		vs := slices.DeleteFunc(s.versions[in.ID], func(old *Instrument) bool { return old.Version == in.Version })
		vs = append(vs, in)
		slices.SortFunc(vs, func(a, b *Instrument) int { return a.Version - b.Version })
		s.versions[in.ID] = vs
		s.byID[in.ID] = vs[len(vs)-1]
	}
	return s
}

// Get returns the newest version of the instrument with id, or nil.
func (s *Set) Get(id string) *Instrument { return s.byID[id] }

// Version returns version v of the instrument with id (the newest when v is
// 0), or nil when that version is not loaded.
func (s *Set) Version(id string, v int) *Instrument {
	if v == 0 {
		return s.Get(id)
	}
	for _, in := range s.versions[id] {
		if in.Version == v {
			return in
		}
	}
	return nil
}

// Versions lists the loaded versions of the instrument with id, oldest
// first.
func (s *Set) Versions(id string) []*Instrument { return slices.Clone(s.versions[id]) }

// All lists the newest version of each instrument, sorted by id.
func (s *Set) All() []*Instrument {
	out := make([]*Instrument, 0, len(s.byID))
	for _, id := range sortedKeys(s.byID) {
		out = append(out, s.byID[id])
	}
	return out
}

// Every lists every loaded version of every instrument, by id then
// version.
func (s *Set) Every() []*Instrument {
	var out []*Instrument
	for _, id := range sortedKeys(s.versions) {
		out = append(out, s.versions[id]...)
	}
	return out
}

// IDs lists the instrument ids, sorted.
func (s *Set) IDs() []string { return sortedKeys(s.byID) }

func isDefinitionFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// A Reader reads one definition file in a format other than YAML (an
// XLSForm, read where the spreadsheet library is); name is used in
// problems.
type Reader func(name string, data []byte) (*Instrument, Problems)

// Loader reads definition files: YAML, and the formats of Readers, by
// file extension (".xlsx").
type Loader struct {
	Readers map[string]Reader
}

func (l Loader) reads(name string) bool {
	_, other := l.Readers[strings.ToLower(filepath.Ext(name))]
	return isDefinitionFile(name) || other
}

func (l Loader) read(name string, data []byte) (*Instrument, Problems) {
	if r, ok := l.Readers[strings.ToLower(filepath.Ext(name))]; ok {
		return r(name, data)
	}
	return Parse(name, data)
}

// instrumentsSeen keeps the first definition of each version: a second
// one is a problem, unless it is the same definition in the other format
// (the example XLSForm shipped beside its YAML file is one instrument).
type instrumentsSeen struct {
	first map[string]*Instrument
	out   []*Instrument
}

func (s *instrumentsSeen) add(label string, in *Instrument) *Problem {
	if s.first == nil {
		s.first = map[string]*Instrument{}
	}
	other, dup := s.first[in.Key()]
	if !dup {
		s.first[in.Key()] = in
		s.out = append(s.out, in)
		return nil
	}
	if isDefinitionFile(label) != isDefinitionFile(other.Source) {
		if a, err := in.CanonicalHash(); err == nil {
			if b, err := other.CanonicalHash(); err == nil && a == b {
				return nil
			}
		}
	}
	p := duplicate(label, in, other.Source)
	return &p
}

// LoadFS reads every definition file (*.yaml, *.yml) at the top of dir in
// fsys. Two files defining the same version of an id differently is a
// problem. Names in problems are prefix + file name.
func LoadFS(fsys fs.FS, dir, prefix string) ([]*Instrument, Problems) {
	return Loader{}.LoadFS(fsys, dir, prefix)
}

// LoadFS is the package's LoadFS, with the loader's formats too.
func (l Loader) LoadFS(fsys fs.FS, dir, prefix string) ([]*Instrument, Problems) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, Problems{{File: prefix + dir, Message: fmt.Sprintf("read definitions: %v", err)}}
	}
	var (
		seen  instrumentsSeen
		probs Problems
	)
	// YAML first: a form that repeats a YAML file is the one left out.
	var files []string
	for _, yamlFirst := range []bool{true, false} {
		for _, e := range entries {
			if !e.IsDir() && l.reads(e.Name()) && isDefinitionFile(e.Name()) == yamlFirst {
				files = append(files, e.Name())
			}
		}
	}
	for _, name := range files {
		label := prefix + name
		data, err := fs.ReadFile(fsys, pathJoin(dir, name))
		if err != nil {
			probs = append(probs, Problem{File: label, Message: fmt.Sprintf("read definition: %v", err)})
			continue
		}
		in, ps := l.read(label, data)
		probs = append(probs, ps...)
		if in != nil {
			if p := seen.add(label, in); p != nil {
				probs = append(probs, *p)
			}
		}
	}
	return seen.out, probs
}

// Key names an instrument version, "csci-social-services@2": how sets,
// the store and the pages tell versions apart.
func (in *Instrument) Key() string { return fmt.Sprintf("%s@%d", in.ID, in.Version) }

func duplicate(file string, in *Instrument, other string) Problem {
	return Problem{File: file, Line: in.Pos.LineOf("version"),
		Message: fmt.Sprintf("instrument %q version %d is also defined in %s (a changed definition needs a higher version)", in.ID, in.Version, other)}
}

func pathJoin(dir, name string) string {
	if dir == "" || dir == "." {
		return name
	}
	return dir + "/" + name
}

// LoadPaths reads definitions from files and directories on disk, as the
// validate command and --surveys do. A directory contributes its *.yaml and
// *.yml files.
func LoadPaths(paths ...string) ([]*Instrument, Problems) { return Loader{}.LoadPaths(paths...) }

// LoadPaths is the package's LoadPaths, with the loader's formats too.
func (l Loader) LoadPaths(paths ...string) ([]*Instrument, Problems) {
	var (
		seen  instrumentsSeen
		probs Problems
	)
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			probs = append(probs, Problem{File: p, Message: fmt.Sprintf("cannot read: %v", errors.Unwrap(err))})
			continue
		}
		var ins []*Instrument
		var ps Problems
		if st.IsDir() {
			ins, ps = l.LoadFS(os.DirFS(p), ".", strings.TrimSuffix(p, "/")+"/")
			if len(ins) == 0 && len(ps) == 0 {
				ps = Problems{{File: p, Message: "no definition files (" + strings.Join(l.patterns(), ", ") + ") in this directory"}}
			}
		} else {
			data, err := os.ReadFile(p)
			if err != nil {
				ps = Problems{{File: p, Message: fmt.Sprintf("cannot read: %v", err)}}
			} else if in, pp := l.read(p, data); in != nil {
				ins = []*Instrument{in}
			} else {
				ps = pp
			}
		}
		probs = append(probs, ps...)
		for _, in := range ins {
			if d := seen.add(in.Source, in); d != nil {
				probs = append(probs, *d)
			}
		}
	}
	return seen.out, probs
}

func (l Loader) patterns() []string {
	out := []string{"*.yaml", "*.yml"}
	for _, ext := range sortedKeys(l.Readers) {
		out = append(out, "*"+ext)
	}
	return out
}
