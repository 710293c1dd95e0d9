"""The `oms bench` load-test harness: scenarios against a running (or self-started) server.

Modules: `data` (seeded dataset and order generator), `server` (start/stop a server
process), `graphql` (timed GraphQL client), `documents` (GraphQL documents), `seed` (load a
dataset into a server), `recorder` (latencies, operations, errors), `outcomes` (classify
placement answers), `load` (run clients for a duration), `progress` (stderr bar),
`checks` (correctness checks), `report` (table, JSON, server metrics), `scenarios/`.
"""
