"""The engine across processes: API workers send commands to the writer process and receive its commits."""
