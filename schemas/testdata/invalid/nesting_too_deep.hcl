pipeline "people" {
  description = "People CSV into crm.people ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((("
}

source "csv" {
  path = "data/people.csv"
}

column "name" {
  from = "Name"
}

column "age" {
  from = "Age"
  type = int32
}

document {
  name = col.name
  age  = col.age
}

target "mongodb" {
  database   = "crm"
  collection = "people"
}

check "adults" {
  # (((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((
  assert      = (((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((col.age))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))) >= 18 # ERROR: Nesting too deep
}
