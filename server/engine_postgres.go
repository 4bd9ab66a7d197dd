package server

import "pacer/storage/postgres"

func postgresStores(db *postgres.DB) Stores {
	return Stores{Revisions: postgres.NewRevisions(db)}
}
