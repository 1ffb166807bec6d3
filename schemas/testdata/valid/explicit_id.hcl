# A file without a header, an explicit _id and bare keywords.

pipeline "orders" {
  description = "Orders into shop.orders, keyed by order number."
}

source "csv" {
  path        = "exports/orders-*.csv"
  header      = false
  field_names = ["order", "customer", "amount", "placed"]
  delimiter   = "\t"
  quote       = ""
  max_rejects = unlimited
}

column "order_id" {
  from     = "order"
  type     = int64
  required = true
}

column "customer" {
  from = "customer"
}

column "amount" {
  from  = "amount"
  type  = decimal128
  scale = 4
}

column "placed_at" {
  from = "placed"
  type = timestamp
}

column "placed_on" {
  type = date
  expr = parse_date(substr(col.customer, 0, 10), "2006-01-02")
}

document {
  _id      = col.order_id
  customer = col.customer
  amount   = col.amount
  placed   = { at = col.placed_at, on = col.placed_on }
}

target "mongodb" {
  uri        = "mongodb://db.example.net:27017" # a server: the embedded store cannot store decimal128
  database   = "shop"
  collection = "orders"
  mode       = append

  index "recent" {
    keys = { "placed.at" = -1 }
  }
}

check "positive_amounts" {
  assert   = col.amount > 0
  severity = warn
}
