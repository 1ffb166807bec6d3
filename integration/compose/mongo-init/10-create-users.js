// Creates the application users of docker-compose.yml, once: the mongo image
// runs the files of /docker-entrypoint-initdb.d only when its data volume is
// empty, with authentication not yet enforced. Names, passwords and the
// database come from the environment (see .env.example):
//
//   MONGO_APP_DATABASE      the application database (the pipeline's `database`)
//   MONGO_WRITER_USERNAME   readWrite on it: the user runner loads with
//   MONGO_WRITER_PASSWORD
//   MONGO_READER_USERNAME   read on it: people and mongo-express
//   MONGO_READER_PASSWORD
//
// Each may also be read from a file named by NAME_FILE (Docker secrets). A
// missing value, or a password still holding the placeholder of .env.example,
// stops the container's first start with an error.

function fail(message) {
  print(`error: ${message}`);
  quit(1);
}

// setting reads NAME from the environment, or from the file named by
// NAME_FILE (Docker secrets), like the image's own MONGO_INITDB_ROOT_PASSWORD.
function setting(name) {
  let value = process.env[name];
  const file = process.env[`${name}_FILE`];
  if (!value && file) {
    value = require('fs').readFileSync(file, 'utf8').split(/\r?\n/)[0];
  }
  if (!value) {
    fail(`${name} is not set; set it in .env (see .env.example)`);
  }
  return value;
}

function password(name) {
  const value = setting(name);
  if (value.includes('change-me')) {
    fail(`${name} still holds the placeholder of .env.example; choose a password`);
  }
  return value;
}

password('MONGO_INITDB_ROOT_PASSWORD');
const database = setting('MONGO_APP_DATABASE');
const users = [
  { user: setting('MONGO_WRITER_USERNAME'), pwd: password('MONGO_WRITER_PASSWORD'), role: 'readWrite' },
  { user: setting('MONGO_READER_USERNAME'), pwd: password('MONGO_READER_PASSWORD'), role: 'read' },
];
if (users[0].user === users[1].user) {
  fail('MONGO_WRITER_USERNAME and MONGO_READER_USERNAME must differ');
}

const app = db.getSiblingDB(database);
for (const u of users) {
  try {
    app.createUser({ user: u.user, pwd: u.pwd, roles: [{ role: u.role, db: database }] });
  } catch (e) {
    fail(`creating user ${u.user} on ${database}: ${e.message}`);
  }
  print(`created user ${u.user} with role ${u.role} on ${database}`);
}
