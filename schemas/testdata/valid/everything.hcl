# Every block, attribute and function of the language at least once.

pipeline "everything" {
  description = "People CSV into crm.people, using the whole language."
}

variable "csv_path" {
  type        = string
  default     = "data/people.csv"
  description = "The people export."
}

variable "salt" {
  type      = string
  default   = "not-a-real-salt"
  sensitive = true
}

variable "adult_age" {
  type    = number
  default = 18
}

variable "dangling" {
  type    = list(string)
  default = [",", "and"]
}

source "csv" {
  path        = var.csv_path
  header      = true
  delimiter   = ";"
  quote       = "'"
  comment     = "#"
  null_values = ["", "NA"]
  encoding    = "utf-8"
  batch_size  = 4096
  max_rejects = 100
}

column "name" {
  from      = "Name"
  type      = string
  clean     = [trim, collapse_spaces, person_name]
  required  = true
  sensitive = true
}

column "email" {
  from  = "Email"
  clean = [trim, lower, regex_replace("\\s+", "")]
}

column "city" {
  from  = "City"
  clean = [title, strip_dangling, replace(".", "")]
  expr  = strip_dangling(self, var.dangling)
}

column "code" {
  from  = "Code"
  clean = [upper, substr(0, 5)]
}

column "age" {
  from     = "Age"
  type     = int32
  default  = 0
  on_error = "default"
}

column "visits" {
  from     = "Visits"
  type     = int64
  on_error = "null"
}

column "score" {
  from = "Score"
  type = float64
  expr = round(abs(self), 1)
}

column "balance" {
  from    = "Balance"
  type    = decimal128
  scale   = 2
  clean   = [replace("$", "")]
  default = 0.5
}

column "active" {
  from    = "Active"
  type    = bool
  default = false
}

column "born_on" {
  from     = "Born"
  type     = date
  format   = "02/01/2006"
  on_error = "reject"
}

column "seen_at" {
  from   = "Seen"
  type   = timestamp
  format = "2006-01-02 15:04"
  zone   = "Europe/Paris"
}

column "raw_visit" {
  from = "Visit"
}

column "visit_on" {
  expr = parse_date(col.raw_visit, "2006-01-02")
}

column "visit_at" {
  expr = parse_timestamp(col.raw_visit, "2006-01-02", "UTC")
}

column "days_known" {
  expr = days_between(col.born_on, col.seen_at)
}

column "pseudonym" {
  expr = sha256(concat(var.salt, col.name))
}

column "label" {
  expr = format("%s-%04d", col.code, col.visits)
}

column "nickname" {
  expr = coalesce(col.email, "${col.name} <unknown>")
}

column "adult" {
  type = bool
  expr = col.age >= var.adult_age && !is_null(col.born_on)
}

column "band" {
  expr = col.age >= 65 ? "senior" : (col.age < 18 ? "minor" : "adult")
}

column "weight" {
  expr = length(col.name) + col.visits * 2 - col.age % 3
}

column "ratio" {
  expr = col.score / 100
}

column "local" {
  expr = contains(col.email, "@example.") || contains(["Paris", "Lyon"], col.city)
}

column "home" {
  expr = env("DATA_DIR", "data")
}

column "pepper" {
  expr = file("secrets/salt.txt")
}

column "debt" {
  expr = -col.score
}

dedup {
  keys = [col.name, col.born_on]
  keep = "last"
}

document {
  omit_nulls = false
  person = {
    name     = col.name
    "e-mail" = col.email
    age      = col.age
    adult    = col.adult
    band     = col.band
    born_on  = col.born_on
  }
  visits = {
    count = col.visits
    label = col.label
    last  = { on = col.visit_on, at = col.visit_at }
  }
  city      = col.city
  code      = col.code
  score     = col.score
  balance   = col.balance
  active    = col.active
  seen_at   = col.seen_at
  known     = col.days_known
  pseudonym = col.pseudonym
  nickname  = col.nickname
  weight    = col.weight
  ratio     = col.ratio
  local     = col.local
  home      = col.home
  pepper    = col.pepper
  debt      = col.debt
  summary   = "${col.name} (${col.age})"
  origin    = "crm-export"
  checked   = col.age == null
  dated     = col.born_on != null
}

target "mongodb" {
  uri           = env("MONGO_URI", "mongodb://localhost:27017")
  database      = "crm"
  collection    = "people"
  mode          = "upsert"
  id_keys       = [col.name, col.born_on]
  batch_size    = 500
  batch_bytes   = 8388608
  writers       = 4
  write_concern = 1
  journal       = false
  timeout       = "1m"
  embedded_dir  = ".runner/crm"

  tls {
    ca_file   = "certs/ca.pem"
    cert_file = "certs/client.pem"
    key_file  = "certs/client.key"
    insecure  = false
  }

  index "by_name" {
    keys   = { "person.name" = 1, "person.age" = -1 }
    unique = false
  }
}

check "adults_mostly" {
  assert       = col.adult
  severity     = "warn"
  max_failures = 0.05
  message      = "Most people are adults."
}

check "unique_people" {
  unique = [col.name, col.born_on]
}

check "names_present" {
  not_null     = [col.name]
  max_failures = 10
}

check "known_cities" {
  column          = col.city
  accepted_values = ["Paris", "Lyon", "Nantes"]
}

check "known_ages" {
  column          = col.age
  accepted_values = [18, 30, 65]
}

check "recent_births" {
  assert = col.born_on >= "1900-01-01" && col.seen_at < "2100-01-01T00:00:00Z"
}

check "enough_rows" {
  min_rows = 1
  max_rows = 1000000
}

check "near_duplicates" {
  similar_except = [col.score]
  severity       = "warn"
  max_failures   = "unlimited"
}

check "landed" {
  in_database = true
  sample      = 50
}

report {
  dir     = "out/reports"
  formats = ["json", "csv"]
}
