"""Benchmarks: unified against ccxt and the bare-aiohttp floor, on the local venues.

Run with `python -m benchmarks` (`--quick` for a smoke run). ccxt comes from the optional
`bench` extra; without it the ccxt columns read "n/a".
"""
