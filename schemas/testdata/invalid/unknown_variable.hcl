pipeline "people" {
  description = "People CSV into crm.people"
}

variable "csv_path" {
  type    = string
  default = "data/people.csv"
}

source "csv" {
  path = var.csv_pth # ERROR: Unknown variable
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
