"""Reading what Lambda wrote: REPORT lines, platform events and our own records.

``parse`` turns one line into a sample, ``stats`` aggregates samples, ``advice``
turns the aggregate into a sizing recommendation, ``cli`` is ``lambda-kit report``.
Never imported on the cold-start path.
"""
