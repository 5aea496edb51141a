"""XGBoost hist peer for bench/gbdt.bench.ts: trains on the same binary data and prints JSON.

argv: data_dir n_train n_valid n_features num_class rounds nthread
data_dir holds x_train.f32, y_train.i32, x_valid.f32, y_valid.i32 (row-major float32, int32 labels).
Only xgboost.train is timed, wall and process CPU time (that includes XGBoost's own quantile sketch, as
ours includes binning).
"""
import json
import sys
import time

import numpy as np
import xgboost as xgb


def main() -> None:
    data_dir, n_train, n_valid, n_features, num_class, rounds, nthread = sys.argv[1:8]
    n_train, n_valid, f = int(n_train), int(n_valid), int(n_features)
    num_class, rounds, nthread = int(num_class), int(rounds), int(nthread)
    xt = np.fromfile(f"{data_dir}/x_train.f32", dtype=np.float32).reshape(n_train, f)
    yt = np.fromfile(f"{data_dir}/y_train.i32", dtype=np.int32)
    xv = np.fromfile(f"{data_dir}/x_valid.f32", dtype=np.float32).reshape(n_valid, f)
    yv = np.fromfile(f"{data_dir}/y_valid.i32", dtype=np.int32)
    dtrain = xgb.DMatrix(xt, label=yt, missing=np.nan, nthread=nthread)
    dvalid = xgb.DMatrix(xv, label=yv, missing=np.nan, nthread=nthread)
    params = {
        "tree_method": "hist",
        "objective": "multi:softprob",
        "num_class": num_class,
        "max_depth": 6,
        "eta": 0.1,
        "max_bin": 256,
        "nthread": nthread,
        "min_child_weight": 1,
        "lambda": 1,
        "grow_policy": "depthwise",
        "seed": 0,
        "verbosity": 0,
    }
    t0, c0 = time.perf_counter(), time.process_time()
    booster = xgb.train(params, dtrain, num_boost_round=rounds)
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    p = booster.predict(dvalid).reshape(n_valid, num_class)
    p = np.clip(p[np.arange(n_valid), yv], 1e-15, 1.0)
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "valid_logloss": float(-np.mean(np.log(p))), "version": xgb.__version__}))


if __name__ == "__main__":
    main()
