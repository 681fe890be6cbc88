"""Page syntax as Python-Markdown extensions (pymdown-extensions' blocks API).

Each extension works wherever Python-Markdown runs; the MkDocs plugin only binds them to the
book's shared state (data sets, the activity registry).
"""
