"""The pure core: statuses, the line-item machine, orders, events and the rules
that decide what customers see.  Nothing in this package performs I/O, reads
the clock, or imports from ``tnorder.adapters``."""
