"""gunicorn's settings for Council Archive, read by every gunicorn started in this folder.

The application is loaded and warmed once, in the master, before the workers are forked
(``archive.warmup``): each worker starts with the search catalogue, the compiled templates and
the URLconf in memory (shared copy-on-write) instead of making its first visitors wait for
them. The command line (``make run``, docs/deployment.md, bench/load.py) sets the rest.
"""

import gc

preload_app = True


def when_ready(server):
    """The app is loaded (preload_app) and the workers are not forked yet: warm it."""
    from archive.warmup import warm_up

    statuses = warm_up()
    server.log.info("Warmed up: %d pages rendered", len(statuses))
    # What the master holds now (the app, its catalogue) lives as long as the workers: out of
    # the collector's generations, it is never walked again, and the workers' collections do
    # not write to (and so copy) the pages they share with the master.
    gc.collect()
    gc.freeze()
