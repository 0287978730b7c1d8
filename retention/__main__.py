"""Entry point of `python -m retention`."""

import os
import sys

# Before numpy and scipy load OpenBLAS: its worker threads spin between calls, and on a machine whose cores
# are busy they took as much CPU as the model fits (scipy's L-BFGS-B, a few tiny vectors: one thread serves
# them; predict-fit at 10M orders, Gamma-Gamma fit 2.0 s -> 1.0 s CPU). A value set by the user is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

if sys.argv[1:2] == ["serve"] and not {"-h", "--help"} & set(sys.argv[2:]):
    # the dashboard (retention/serve.py): every option after `serve` is Streamlit's, passed on as it is
    from retention.serve import main as serve  # noqa: E402

    sys.exit(serve(sys.argv[2:]))

from retention.cli import main  # noqa: E402

sys.exit(main())
