package stages

import "testing"

func TestOrigin(t *testing.T) {
	tests := []struct {
		file, line int
		text       string
	}{
		{file: 0, line: 2, text: "line 2"},
		{file: 3, line: 55501, text: "file 3 line 55501"},
		{file: 0, line: 1<<40 - 1, text: "line 1099511627775"},
	}
	for _, tc := range tests {
		o := MakeOrigin(tc.file, tc.line)
		if o.File() != tc.file || o.Line() != tc.line || o.String() != tc.text {
			t.Errorf("MakeOrigin(%d, %d) = file %d line %d %q", tc.file, tc.line, o.File(), o.Line(), o)
		}
	}
	if MakeOrigin(0, 9) >= MakeOrigin(1, 2) {
		t.Error("origins of a later file must sort after those of an earlier one")
	}
}

func TestDocBatch(t *testing.T) {
	var b DocBatch
	for i, doc := range []string{"ab", "", "cde"} {
		b.Data = append(b.Data, doc...)
		b.Add(MakeOrigin(0, i+2))
	}
	if b.Len() != 3 || string(b.Doc(0)) != "ab" || string(b.Doc(1)) != "" || string(b.Doc(2)) != "cde" || b.Origins[2].Line() != 4 {
		t.Fatalf("batch = %+v", b)
	}
	b.Reset()
	if b.Len() != 0 || len(b.Data) != 0 {
		t.Fatalf("after Reset: %+v", b)
	}
}
