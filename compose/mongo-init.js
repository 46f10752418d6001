// Runs once, when the mongo service initialises an empty data volume (docker-entrypoint-initdb.d): the application
// user the services connect as. readWrite on the coldframe database covers the connector (find, changeStream) and the
// purger (find, remove).
db.getSiblingDB('admin').createUser({
  user: process.env.COLDFRAME_MONGO_USER,
  pwd: process.env.COLDFRAME_MONGO_PASSWORD,
  roles: [{ role: 'readWrite', db: process.env.COLDFRAME_MONGO_DATABASE || 'coldframe' }],
});
