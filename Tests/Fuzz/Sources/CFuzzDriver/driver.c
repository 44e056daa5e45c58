// Intentionally empty: CFuzzDriver only declares libFuzzer's driver entry (see the header).
