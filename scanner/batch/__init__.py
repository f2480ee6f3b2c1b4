"""Many sites at once: ``scanner batch`` runs one ``scanner scan`` subprocess per site on a Dask cluster
(a LocalCluster by default), with the campaign's job state in its own SQLite file (issue 13)."""
