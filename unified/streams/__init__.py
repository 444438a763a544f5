"""Live streams (DESIGN.md section 3b): the parts that decide whether a streamed book is right.

`book` holds a venue-neutral order book; `sequenced` keeps one from sequenced deltas on a REST
snapshot (KuCoin level2); `checksummed` keeps one from a full push plus increments verified by
a CRC32 of the top levels (OKCoinJapan spot/depth). All three are sans-IO: they take decoded
messages and answer with books or a resync signal; sockets, pings and reconnects live in the
connection layer, and each venue's frame codec stays in its adapter.

Nothing is imported here, so importing `unified.streams` costs nothing.
"""
