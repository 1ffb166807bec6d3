# Hospital admissions: one CSV row per admission becomes one nested document
# per admission in medical_records.admissions.
#
#   runner apply pipelines/healthcare.hcl
#   runner apply pipelines/healthcare.hcl -var csv_path=/data/healthcare_dataset.csv

pipeline "healthcare" {
  description = "Hospital admissions CSV into medical_records.admissions"
}

variable "csv_path" {
  type        = string
  default     = "data/healthcare_dataset.csv"
  description = "The admissions CSV export."
}

variable "database" {
  type        = string
  default     = "medical_records"
  description = "The MongoDB database the admissions go to."
}

source "csv" {
  path        = var.csv_path
  header      = true
  null_values = ["", "NA", "N/A"]
  max_rejects = 0.01
}

column "name" {
  from     = "Name"
  type     = string
  clean    = [trim, collapse_spaces, person_name]
  required = true
}

column "age" {
  from = "Age"
  type = int32
}

column "gender" {
  from = "Gender"
  type = string
}

column "blood_type" {
  from  = "Blood Type"
  type  = string
  clean = [trim, upper]
}

column "medical_condition" {
  from = "Medical Condition"
  type = string
}

column "admitted_on" {
  from     = "Date of Admission"
  type     = date
  format   = "2006-01-02"
  required = true
}

column "doctor" {
  from  = "Doctor"
  type  = string
  clean = [trim, collapse_spaces, person_name]
}

# "Sons and Miller" stays; "and Sons, Smith and," becomes "Sons, Smith".
column "hospital" {
  from  = "Hospital"
  type  = string
  clean = [trim, collapse_spaces]
  expr  = strip_dangling(self, [",", "and"])
}

column "insurance_provider" {
  from = "Insurance Provider"
  type = string
}

column "billing_amount" {
  from = "Billing Amount"
  type = float64
}

column "room_number" {
  from = "Room Number"
  type = int32
}

column "admission_type" {
  from = "Admission Type"
  type = string
}

column "discharged_on" {
  from   = "Discharge Date"
  type   = date
  format = "2006-01-02"
}

column "medication" {
  from = "Medication"
  type = string
}

column "test_results" {
  from = "Test Results"
  type = string
}

# Derived: no source field.
column "stay_days" {
  type = int32
  expr = days_between(col.admitted_on, col.discharged_on)
}

# Exact duplicates: rows equal in every column after cleaning.
dedup {
  keys = all_columns
  keep = "first"
}

document {
  patient = {
    name       = col.name
    age        = col.age
    gender     = col.gender
    blood_type = col.blood_type
  }
  admission = {
    admitted_on   = col.admitted_on
    discharged_on = col.discharged_on
    type          = col.admission_type
    room          = col.room_number
    doctor        = col.doctor
    hospital      = col.hospital
    stay_days     = col.stay_days
  }
  medical = {
    condition    = col.medical_condition
    medication   = col.medication
    test_results = col.test_results
  }
  billing = {
    amount  = col.billing_amount
    insurer = col.insurance_provider
  }
}

target "mongodb" {
  # Empty: the embedded store under .runner/. Set MONGO_URI to load a real
  # MongoDB; credentials stay in the environment and are never printed.
  uri        = env("MONGO_URI", "")
  database   = var.database
  collection = "admissions"
  mode       = "replace"
  # _id: the hash of the dedup key (every column), so a re-run never
  # duplicates and two kept rows never collide.

  index "patient_name" {
    keys = { "patient.name" = 1 }
  }
  index "admitted_on" {
    keys = { "admission.admitted_on" = -1 }
  }
}

# An empty or truncated export must never replace the collection.
check "not_empty" {
  min_rows = 1
}

check "ages_in_range" {
  assert  = col.age >= 0 && col.age <= 120
  message = "Ages must be between 0 and 120."
}

check "known_gender" {
  column          = col.gender
  accepted_values = ["Male", "Female"]
}

check "known_blood_type" {
  column          = col.blood_type
  accepted_values = ["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"]
}

check "known_admission_type" {
  column          = col.admission_type
  accepted_values = ["Emergency", "Elective", "Urgent"]
}

check "known_test_results" {
  column          = col.test_results
  accepted_values = ["Normal", "Abnormal", "Inconclusive"]
}

check "known_medication" {
  column          = col.medication
  accepted_values = ["Aspirin", "Ibuprofen", "Lipitor", "Paracetamol", "Penicillin"]
}

check "known_condition" {
  column          = col.medical_condition
  accepted_values = ["Arthritis", "Asthma", "Cancer", "Diabetes", "Hypertension", "Obesity"]
}

check "discharge_after_admission" {
  assert = col.discharged_on >= col.admitted_on
}

check "billing_not_negative" {
  assert   = col.billing_amount >= 0
  severity = "warn"
  message  = "Negative amounts are refunds or data-entry errors; review them."
}

# Rows equal in every column but age: likely the same admission entered twice.
check "near_duplicates" {
  similar_except = [col.age]
  severity       = "warn"
}

check "all_rows_landed" {
  in_database = true
}

report {
  dir     = "reports"
  formats = ["json", "markdown", "csv"]
}
