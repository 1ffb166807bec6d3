package embedded

import (
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// TestLimitations proves, through the driver, each limitation the store
// declares: when a FerretDB upgrade lifts one, its case fails and the list
// (which serve prints and the docs repeat) must change with it.
func TestLimitations(t *testing.T) {
	s := start(t, t.TempDir())
	db := client(t, s.URI()).Database("limits")
	coll := db.Collection("admissions")
	admitted := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
	if _, err := coll.InsertMany(t.Context(), []bson.D{
		{{Key: "hospital", Value: "A"}, {Key: "amount", Value: 10}, {Key: "admitted", Value: admitted}},
		{{Key: "hospital", Value: "A"}, {Key: "amount", Value: 20}, {Key: "admitted", Value: admitted}},
		{{Key: "hospital", Value: "B"}, {Key: "amount", Value: 5}, {Key: "admitted", Value: admitted}},
	}); err != nil {
		t.Fatalf("inserting: %v", err)
	}
	if _, err := coll.Indexes().CreateOne(t.Context(), mongo.IndexModel{Keys: bson.D{{Key: "amount", Value: 1}}}); err != nil {
		t.Fatalf("creating an index: %v", err)
	}

	tests := []struct {
		// says is what the limitation's text says, in part.
		says  string
		proof func(t *testing.T)
	}{
		{says: "returns 0 for every accumulator after the first", proof: func(t *testing.T) {
			got := aggregate(t, coll, bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$hospital"},
				{Key: "total", Value: bson.D{{Key: "$sum", Value: "$amount"}}},
				{Key: "admissions", Value: bson.D{{Key: "$sum", Value: 1}}}}}})
			if len(got) != 2 {
				t.Fatalf("%d groups, want one per hospital: %v", len(got), got)
			}
			for _, g := range got {
				if g["total"] == int32(0) || g["admissions"] != int32(0) {
					t.Errorf("group %v: MongoDB gives total > 0 and admissions > 0; the store gives the second 0", g)
				}
			}
		}},
		{says: "$avg, $min and $max", proof: func(t *testing.T) {
			for _, stage := range []bson.D{
				{{Key: "$group", Value: bson.D{{Key: "_id", Value: nil}, {Key: "x", Value: bson.D{{Key: "$avg", Value: "$amount"}}}}}},
				{{Key: "$group", Value: bson.D{{Key: "_id", Value: nil}, {Key: "x", Value: bson.D{{Key: "$min", Value: "$amount"}}}}}},
				{{Key: "$group", Value: bson.D{{Key: "_id", Value: nil}, {Key: "x", Value: bson.D{{Key: "$max", Value: "$amount"}}}}}},
				{{Key: "$lookup", Value: bson.D{{Key: "from", Value: "admissions"}, {Key: "localField", Value: "hospital"}, {Key: "foreignField", Value: "hospital"}, {Key: "as", Value: "x"}}}},
				{{Key: "$project", Value: bson.D{{Key: "year", Value: bson.D{{Key: "$year", Value: "$admitted"}}}}}},
			} {
				_, err := coll.Aggregate(t.Context(), bson.A{stage})
				if err == nil || !strings.Contains(err.Error(), "not implemented") {
					t.Errorf("%v: %v, want a not-implemented error", stage, err)
				}
			}
		}},
		{says: "indexes are not used for range queries", proof: func(t *testing.T) {
			var plan struct {
				FilterPushdown bool `bson:"filterPushdown"`
				QueryPlanner   struct {
					Plan []string `bson:"Plan"`
				} `bson:"queryPlanner"`
			}
			find := bson.D{{Key: "find", Value: coll.Name()}, {Key: "filter", Value: bson.D{{Key: "amount", Value: bson.D{{Key: "$gt", Value: 6}}}}}}
			if err := db.RunCommand(t.Context(), bson.D{{Key: "explain", Value: find}}).Decode(&plan); err != nil {
				t.Fatalf("explain: %v", err)
			}
			if plan.FilterPushdown || len(plan.QueryPlanner.Plan) != 1 || !strings.Contains(plan.QueryPlanner.Plan[0], "SCAN") {
				t.Errorf("a range query on an indexed field: pushdown %v, plan %v; want a scan of the whole table", plan.FilterPushdown, plan.QueryPlanner.Plan)
			}
		}},
		{says: "decimal128 values cannot be stored", proof: func(t *testing.T) {
			// The store closes the connection instead of answering; a
			// client of its own keeps the other cases' connections intact.
			amount, err := bson.ParseDecimal128("12.50")
			if err != nil {
				t.Fatal(err)
			}
			_, err = client(t, s.URI()).Database("limits").Collection("decimals").InsertOne(t.Context(), bson.D{{Key: "amount", Value: amount}})
			if err == nil {
				t.Error("the store stored a decimal128")
			}
		}},
	}
	limitations := Limitations()
	if len(limitations) != len(tests) {
		t.Fatalf("%d limitations, %d proofs: each limitation needs its proof", len(limitations), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.says, func(t *testing.T) {
			if !strings.Contains(limitations[i], tt.says) {
				t.Fatalf("limitation %d is %q; its proof is of %q", i, limitations[i], tt.says)
			}
			tt.proof(t)
		})
	}
}

// aggregate runs a one-stage pipeline and returns its documents.
func aggregate(t *testing.T, coll *mongo.Collection, stage bson.D) []bson.M {
	t.Helper()
	cur, err := coll.Aggregate(t.Context(), bson.A{stage})
	if err != nil {
		t.Fatalf("aggregate %v: %v", stage, err)
	}
	var out []bson.M
	if err := cur.All(t.Context(), &out); err != nil {
		t.Fatalf("aggregate %v: %v", stage, err)
	}
	return out
}
