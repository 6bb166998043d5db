"""What a run did and why: ``OUT/report.html`` (:mod:`taosha.report.html`) and ``taosha inspect``
(:mod:`taosha.report.inspect`).  Nothing here is imported by ``import taosha``."""
