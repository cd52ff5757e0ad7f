"""Fault injection: the mirroring controller under apiserver, etcd, network and process faults."""
