"""Where records go. A sink is a callable taking the record dict; it never
changes the record and never raises into the handler (``@instrument`` guards
every call). ``jsonline`` is always loaded; the others (``emf``, ``otel``,
``xray``) are imported only when enabled.
"""
