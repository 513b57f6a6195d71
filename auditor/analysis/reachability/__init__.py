"""Network-wide reachability: a forwarding model of every device and path search over it.

``build_model(view)`` (:mod:`.model`), ``search(model, src, dst, service)`` (:mod:`.search`) and
``reachability(view)`` (:mod:`.verdicts`, every zone pair judged against the policy). Pure: no I/O.
"""
