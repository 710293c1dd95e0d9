"""Resident memory of the stock state for 1M skus x 10 locations (budget: <= 200 MB).

    python bench/stock_memory.py
"""
from engine.domain.stock import StockTable

SKUS, LOCATIONS = 1_000_000, 10


def rss_mib() -> float:
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) / 1024


def main() -> None:
    before = rss_mib()
    table = StockTable()
    table.ensure(SKUS, LOCATIONS)
    for field in ("on_hand", "committed", "safety", "updated_s"):
        getattr(table, field)[:SKUS, :LOCATIONS] = 1  # touch every level, as a full catalog would
    print(f"stock state, {SKUS:,} skus x {LOCATIONS} locations: {rss_mib() - before:.0f} MiB resident")


if __name__ == "__main__":
    main()
