pipeline "messy"{
description="Written in a hurry"
}
source "csv" {
      path = "data/people.csv"
  null_values=["","NA"]
    max_rejects  =   0.05
}
column "name" {
from="Name"
  clean=[trim,collapse_spaces,person_name]
}
column "age" { 
    from = "Age"
 type=int32
}
document {
patient={name=col.name,age=col.age}
}
target "mongodb" {
database="crm"
     collection = "people"
  index "by_name" {
keys={"patient.name"=1}
  }
}
