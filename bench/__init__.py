"""Benchmarks of the service against same-run references (nginx, unzip, curl); run with `make bench`."""
