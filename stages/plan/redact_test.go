package plan

import "testing"

func TestRedactURI(t *testing.T) {
	tests := []struct {
		name, uri, want string
	}{
		{name: "user and password", uri: "mongodb://writer:s3cret@db:27017/medical?authSource=admin", want: "mongodb://writer:***@db:27017/medical?authSource=admin"},
		{name: "no credentials", uri: "mongodb://db:27017/", want: "mongodb://db:27017/"},
		{name: "user without password", uri: "mongodb://writer@db/", want: "mongodb://writer@db/"},
		{name: "escaped password", uri: "mongodb://writer:p%40ss%2Fw@db/", want: "mongodb://writer:***@db/"},
		{name: "unescaped @ and / in the password", uri: "mongodb://writer:p@ss/w@db1,db2/x", want: "mongodb://writer:***@db1,db2/x"},
		{name: "srv", uri: "mongodb+srv://writer:s3cret@cluster0.example.net/?retryWrites=true", want: "mongodb+srv://writer:***@cluster0.example.net/?retryWrites=true"},
		{name: "credential options", uri: "mongodb://db/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok&tlsCertificateKeyFilePassword=kp", want: "mongodb://db/?authMechanism=MONGODB-AWS&authMechanismProperties=***&tlsCertificateKeyFilePassword=***"},
		{name: "not a URI", uri: "writer:s3cret@db", want: "writer:***@db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactURI(tt.uri); got != tt.want {
				t.Errorf("RedactURI(%q) = %q, want %q", tt.uri, got, tt.want)
			}
		})
	}
}

func TestRedactURIsInText(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{name: "no URI", text: `path = "data/a.csv"`, want: `path = "data/a.csv"`},
		{name: "pipeline line", text: `  uri = "mongodb://writer:hunter2-secret@db:27017" # note`, want: `  uri = "mongodb://writer:***@db:27017" # note`},
		{name: "variable value", text: `"mongodb+srv://w:hunter2-secret@c.example.net/?retryWrites=true"`, want: `"mongodb+srv://w:***@c.example.net/?retryWrites=true"`},
		{name: "two URIs", text: "from mongodb://a:x1@h1/ to mongodb://b:x2@h2/db", want: "from mongodb://a:***@h1/ to mongodb://b:***@h2/db"},
		{name: "at the end", text: "uri mongodb://a:x1@h1", want: "uri mongodb://a:***@h1"},
		{name: "JSON", text: `{"value":"mongodb://a:x1@h1/?tlsCertificateKeyFilePassword=kp"}`, want: `{"value":"mongodb://a:***@h1/?tlsCertificateKeyFilePassword=***"}`},
		{name: "an @ after the URI is not its user", text: "mongodb://h1/db mail a@b", want: "mongodb://h1/db mail a@b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactURIs(tt.text); got != tt.want {
				t.Errorf("RedactURIs(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestRedactorReplacesSecretsInEveryForm(t *testing.T) {
	r := NewRedactor([]string{"Top.Secret", `say "hi"`, "", "Top"})
	tests := []struct {
		name, text, want string
	}{
		{name: "as written", text: "value Top.Secret here", want: "value (sensitive) here"},
		{name: "longest first", text: "Top.Secret and Top", want: "(sensitive) and (sensitive)"},
		{name: "quoted with %q", text: `got "say \"hi\""`, want: `got "(sensitive)"`},
		{name: "JSON", text: `{"v":"say \"hi\""}`, want: `{"v":"(sensitive)"}`},
		{name: "URIs too", text: "mongodb://w:pw@h/", want: "mongodb://w:***@h/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.String(tt.text); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
	if got := (Redactor{}).String("plain mongodb://w:pw@h/"); got != "plain mongodb://w:***@h/" {
		t.Errorf("the zero Redactor gives %q", got)
	}
}
