pipeline "people" {
  description = "People CSV into crm.people"
}

variable "csv_path" {
  type    = string
  default = null
}

source "csv" {
  path = var.csv_path # ERROR: Invalid path
}

column "name" {
  from = "Name"
}

document {
  name = col.name
}

target "mongodb" {
  database   = "crm"
  collection = "people"
}
