"""`oms serve --workers N`: the writer process, and the API worker processes it starts and restarts."""
