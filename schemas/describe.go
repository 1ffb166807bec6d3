package schemas

import (
	"fmt"
	"slices"

	"runner/stages/plan"
)

// typeNoun names a type with its article, for messages: "an int32".
func typeNoun(t plan.Type) string {
	switch t {
	case plan.TypeNull:
		return "null"
	case plan.TypeStringList:
		return "a list of strings"
	}
	return article(t.String()) + " " + t.String()
}

// typesNoun says what a parameter accepts: "a number", "a date or timestamp".
func typesNoun(ts []plan.Type) string {
	sets := []struct {
		types []plan.Type
		noun  string
	}{
		{nil, "a value"},
		{[]plan.Type{plan.TypeInt32, plan.TypeInt64, plan.TypeFloat64, plan.TypeDecimal128}, "a number"},
		{[]plan.Type{plan.TypeInt32, plan.TypeInt64}, "a whole number"},
		{[]plan.Type{plan.TypeDate, plan.TypeTimestamp}, "a date or timestamp"},
		{[]plan.Type{plan.TypeString, plan.TypeStringList}, "a string or a list of strings"},
	}
	for _, s := range sets {
		if slices.Equal(s.types, ts) {
			return s.noun
		}
	}
	nouns := make([]string, len(ts))
	for i, t := range ts {
		nouns[i] = typeNoun(t)
	}
	return joinList(nouns, "or")
}

// describe says what an operand is, to explain a type error:
// "col.name is a string column".
func describe(e *plan.Expr) string {
	switch e.Kind {
	case plan.ExprColumn:
		return fmt.Sprintf("col.%s is %s column", e.Column, typeNoun(e.Type))
	case plan.ExprSelf:
		return fmt.Sprintf("self is %s", typeNoun(e.Type))
	case plan.ExprLiteral:
		if e.Type == plan.TypeNull {
			return "the value is null"
		}
		return fmt.Sprintf("%s is %s", e.Value.String(), typeNoun(e.Type))
	}
	return fmt.Sprintf("%s is %s", e.String(), typeNoun(e.Type))
}
