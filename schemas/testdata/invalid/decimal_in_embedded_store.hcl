pipeline "orders" {
  description = "Orders into shop.orders, on the embedded store"
}

source "csv" {
  path = "data/orders.csv"
}

column "order_id" {
  from = "Order"
  type = int64
}

column "amount" {
  from  = "Amount"
  type  = decimal128 # ERROR: Type the embedded store cannot store
  scale = 2
}

column "refund" {
  expr = col.amount # ERROR: Type the embedded store cannot store
}

document {
  _id     = col.order_id
  amount  = col.amount
  total   = { amount = col.amount, refund = col.refund }
  largest = col.amount > col.refund ? col.amount : col.refund # ERROR: Type the embedded store cannot store
}

target "mongodb" {
  database   = "shop"
  collection = "orders"
}
