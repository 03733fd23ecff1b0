-- gpu_key(name): a GPU name reduced to a matching key: lower case, without the brand words
-- "Nvidia", "Tesla" and "GeForce" in front, and without a memory-size suffix ("16GB").
-- Grain: scalar macro (one value per name).
-- Inputs: a GPU name as written in any table: gpus.gpu ("Tesla V100", "T4"),
-- ngc_throughput.gpu ("V100 16GB", "A100 80GB"), energy_measurements.device
-- ("Nvidia Tesla T4", "RTX 2080 Ti", "P100").
-- Formula: 'Nvidia Tesla T4' -> 't4'; 'V100 16GB' -> 'v100'; 'GeForce RTX 2080 Ti' -> 'rtx 2080 ti'.
-- Why: the paper names the same GPU differently in Tables E.3, J.8, J.9, K.10 and K.11.
create macro gpu_key(name) as
    trim(regexp_replace(
        regexp_replace(lower(name), '^((nvidia|tesla|geforce) )+', ''),
        ' [0-9]+ ?gb$', ''))
