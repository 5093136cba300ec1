;; GF(2^8) multiply-and-add over shard chunks: output[o] = XOR over i of c[o][i] · input[i], coded 32 bytes
;; (two SIMD vectors) per step. Written by hand; the source of gf_kernel_simd.wasm and gf_kernel_relaxed.wasm,
;; which `deno task build:wasm` (build.ts) assembles, the relaxed one with every i8x16.swizzle replaced by
;; i8x16.relaxed_swizzle. The two agree on every byte because every swizzle index here is a nibble
;; (0..15), where relaxed and plain swizzle are defined alike.
;;
;; Technique: c · x = c · (x & 0x0f) XOR c · (x & 0xf0), so each coefficient c has two 16-byte tables,
;; lo[n] = c · n and hi[n] = c · (n << 4), and a product of 16 bytes is two swizzles and one XOR. The first
;; input of a step sets the accumulators instead of XORing into zeros: the loop is bound by SIMD ALU
;; throughput (about 4 operations per cycle here), so 6 fewer XORs per step of 6 inputs are ~3 % of encode.
;;
;; Memory layout, all chosen by the caller (wasm_shard_coder.ts):
;; - chunks: input i at `input + i * stride`, output o at `output + o * stride`, each `stride` bytes.
;; - tables: outputs are coded in groups of up to 3 (accumulators stay in registers). Group g's tables
;;   start after those of the groups before it; inside a group, for input i and output r of the group,
;;   lo sits at `(i * groupSize + r) * 32` and hi 16 bytes after it.
;; `length` is rounded up to whole 32-byte steps: the caller leaves room for that in every chunk and
;; ignores the bytes past `length`. The caller ensures length > 0 and inputs > 0.

(module
  (memory (export "memory") 1)

  ;; Codes `rows` outputs from `inputs` inputs: groups of three, then a group of one or two.
  (func (export "code")
    (param $tables i32) (param $inputs i32) (param $rows i32)
    (param $input i32) (param $output i32) (param $stride i32) (param $length i32)
    (block $done
      (loop $group
        (br_if $done (i32.lt_u (local.get $rows) (i32.const 3)))
        (call $code_three (local.get $tables) (local.get $inputs) (local.get $input)
          (local.get $output) (local.get $stride) (local.get $length))
        (local.set $tables (i32.add (local.get $tables) (i32.mul (local.get $inputs) (i32.const 96))))
        (local.set $output (i32.add (local.get $output) (i32.mul (local.get $stride) (i32.const 3))))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 3)))
        (br $group)))
    (if (i32.eq (local.get $rows) (i32.const 2))
      (then (call $code_two (local.get $tables) (local.get $inputs) (local.get $input)
        (local.get $output) (local.get $stride) (local.get $length))))
    (if (i32.eq (local.get $rows) (i32.const 1))
      (then (call $code_one (local.get $tables) (local.get $inputs) (local.get $input)
        (local.get $output) (local.get $stride) (local.get $length)))))

  ;; Three outputs, 32 bytes (two vectors) per step: 6 accumulators, 4 nibble vectors, 2 tables and the
  ;; mask fit the 16 SIMD registers of x86-64; each input vector is split into nibbles once for all three.
  (func $code_three
    (param $tables i32) (param $inputs i32) (param $input i32)
    (param $output i32) (param $stride i32) (param $length i32)
    (local $offset i32) (local $left i32) (local $from i32) (local $table i32)
    (local $mask v128) (local $lo v128) (local $hi v128)
    (local $lo0 v128) (local $hi0 v128) (local $lo1 v128) (local $hi1 v128)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $c0 v128) (local $c1 v128)
    (local.set $mask (i8x16.splat (i32.const 0x0f)))
    (loop $step
      ;; The first input sets the accumulators (no XOR into zeros), the rest XOR into them.
      (local.set $from (i32.add (local.get $input) (local.get $offset)))
      (local.set $lo0 (v128.load (local.get $from)))
      (local.set $lo1 (v128.load offset=16 (local.get $from)))
      (local.set $hi0 (v128.and (i16x8.shr_u (local.get $lo0) (i32.const 4)) (local.get $mask)))
      (local.set $hi1 (v128.and (i16x8.shr_u (local.get $lo1) (i32.const 4)) (local.get $mask)))
      (local.set $lo0 (v128.and (local.get $lo0) (local.get $mask)))
      (local.set $lo1 (v128.and (local.get $lo1) (local.get $mask)))
      (local.set $lo (v128.load (local.get $tables)))
      (local.set $hi (v128.load offset=16 (local.get $tables)))
      (local.set $a0 (v128.xor
        (i8x16.swizzle (local.get $lo) (local.get $lo0)) (i8x16.swizzle (local.get $hi) (local.get $hi0))))
      (local.set $a1 (v128.xor
        (i8x16.swizzle (local.get $lo) (local.get $lo1)) (i8x16.swizzle (local.get $hi) (local.get $hi1))))
      (local.set $lo (v128.load offset=32 (local.get $tables)))
      (local.set $hi (v128.load offset=48 (local.get $tables)))
      (local.set $b0 (v128.xor
        (i8x16.swizzle (local.get $lo) (local.get $lo0)) (i8x16.swizzle (local.get $hi) (local.get $hi0))))
      (local.set $b1 (v128.xor
        (i8x16.swizzle (local.get $lo) (local.get $lo1)) (i8x16.swizzle (local.get $hi) (local.get $hi1))))
      (local.set $lo (v128.load offset=64 (local.get $tables)))
      (local.set $hi (v128.load offset=80 (local.get $tables)))
      (local.set $c0 (v128.xor
        (i8x16.swizzle (local.get $lo) (local.get $lo0)) (i8x16.swizzle (local.get $hi) (local.get $hi0))))
      (local.set $c1 (v128.xor
        (i8x16.swizzle (local.get $lo) (local.get $lo1)) (i8x16.swizzle (local.get $hi) (local.get $hi1))))
      (local.set $from (i32.add (local.get $from) (local.get $stride)))
      (local.set $table (i32.add (local.get $tables) (i32.const 96)))
      (local.set $left (i32.sub (local.get $inputs) (i32.const 1)))
      (if (local.get $left) (then
      (loop $each_input
        (local.set $lo0 (v128.load (local.get $from)))
        (local.set $lo1 (v128.load offset=16 (local.get $from)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $lo0) (i32.const 4)) (local.get $mask)))
        (local.set $hi1 (v128.and (i16x8.shr_u (local.get $lo1) (i32.const 4)) (local.get $mask)))
        (local.set $lo0 (v128.and (local.get $lo0) (local.get $mask)))
        (local.set $lo1 (v128.and (local.get $lo1) (local.get $mask)))
        ;; output a
        (local.set $lo (v128.load (local.get $table)))
        (local.set $hi (v128.load offset=16 (local.get $table)))
        (local.set $a0 (v128.xor (local.get $a0) (v128.xor
          (i8x16.swizzle (local.get $lo) (local.get $lo0)) (i8x16.swizzle (local.get $hi) (local.get $hi0)))))
        (local.set $a1 (v128.xor (local.get $a1) (v128.xor
          (i8x16.swizzle (local.get $lo) (local.get $lo1)) (i8x16.swizzle (local.get $hi) (local.get $hi1)))))
        ;; output b
        (local.set $lo (v128.load offset=32 (local.get $table)))
        (local.set $hi (v128.load offset=48 (local.get $table)))
        (local.set $b0 (v128.xor (local.get $b0) (v128.xor
          (i8x16.swizzle (local.get $lo) (local.get $lo0)) (i8x16.swizzle (local.get $hi) (local.get $hi0)))))
        (local.set $b1 (v128.xor (local.get $b1) (v128.xor
          (i8x16.swizzle (local.get $lo) (local.get $lo1)) (i8x16.swizzle (local.get $hi) (local.get $hi1)))))
        ;; output c
        (local.set $lo (v128.load offset=64 (local.get $table)))
        (local.set $hi (v128.load offset=80 (local.get $table)))
        (local.set $c0 (v128.xor (local.get $c0) (v128.xor
          (i8x16.swizzle (local.get $lo) (local.get $lo0)) (i8x16.swizzle (local.get $hi) (local.get $hi0)))))
        (local.set $c1 (v128.xor (local.get $c1) (v128.xor
          (i8x16.swizzle (local.get $lo) (local.get $lo1)) (i8x16.swizzle (local.get $hi) (local.get $hi1)))))
        (local.set $from (i32.add (local.get $from) (local.get $stride)))
        (local.set $table (i32.add (local.get $table) (i32.const 96)))
        (br_if $each_input (local.tee $left (i32.sub (local.get $left) (i32.const 1)))))))
      (local.set $from (i32.add (local.get $output) (local.get $offset)))
      (v128.store (local.get $from) (local.get $a0))
      (v128.store offset=16 (local.get $from) (local.get $a1))
      (local.set $from (i32.add (local.get $from) (local.get $stride)))
      (v128.store (local.get $from) (local.get $b0))
      (v128.store offset=16 (local.get $from) (local.get $b1))
      (local.set $from (i32.add (local.get $from) (local.get $stride)))
      (v128.store (local.get $from) (local.get $c0))
      (v128.store offset=16 (local.get $from) (local.get $c1))
      (br_if $step (i32.lt_u
        (local.tee $offset (i32.add (local.get $offset) (i32.const 32))) (local.get $length)))))

  ;; Two outputs, 32 bytes per step; as $code_three without output c.
  (func $code_two
    (param $tables i32) (param $inputs i32) (param $input i32)
    (param $output i32) (param $stride i32) (param $length i32)
    (local $offset i32) (local $left i32) (local $from i32) (local $table i32)
    (local $mask v128) (local $lo v128) (local $hi v128)
    (local $lo0 v128) (local $hi0 v128) (local $lo1 v128) (local $hi1 v128)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128)
    (local.set $mask (i8x16.splat (i32.const 0x0f)))
    (loop $step
      ;; The first input sets the accumulators, the rest XOR into them (as in $code_three).
      (local.set $from (i32.add (local.get $input) (local.get $offset)))
      (local.set $lo0 (v128.load (local.get $from)))
      (local.set $lo1 (v128.load offset=16 (local.get $from)))
      (local.set $hi0 (v128.and (i16x8.shr_u (local.get $lo0) (i32.const 4)) (local.get $mask)))
      (local.set $hi1 (v128.and (i16x8.shr_u (local.get $lo1) (i32.const 4)) (local.get $mask)))
      (local.set $lo0 (v128.and (local.get $lo0) (local.get $mask)))
      (local.set $lo1 (v128.and (local.get $lo1) (local.get $mask)))
      (local.set $lo (v128.load (local.get $tables)))
      (local.set $hi (v128.load offset=16 (local.get $tables)))
      (local.set $a0 (v128.xor
        (i8x16.swizzle (local.get $lo) (local.get $lo0)) (i8x16.swizzle (local.get $hi) (local.get $hi0))))
      (local.set $a1 (v128.xor
        (i8x16.swizzle (local.get $lo) (local.get $lo1)) (i8x16.swizzle (local.get $hi) (local.get $hi1))))
      (local.set $lo (v128.load offset=32 (local.get $tables)))
      (local.set $hi (v128.load offset=48 (local.get $tables)))
      (local.set $b0 (v128.xor
        (i8x16.swizzle (local.get $lo) (local.get $lo0)) (i8x16.swizzle (local.get $hi) (local.get $hi0))))
      (local.set $b1 (v128.xor
        (i8x16.swizzle (local.get $lo) (local.get $lo1)) (i8x16.swizzle (local.get $hi) (local.get $hi1))))
      (local.set $from (i32.add (local.get $from) (local.get $stride)))
      (local.set $table (i32.add (local.get $tables) (i32.const 64)))
      (local.set $left (i32.sub (local.get $inputs) (i32.const 1)))
      (if (local.get $left) (then
      (loop $each_input
        (local.set $lo0 (v128.load (local.get $from)))
        (local.set $lo1 (v128.load offset=16 (local.get $from)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $lo0) (i32.const 4)) (local.get $mask)))
        (local.set $hi1 (v128.and (i16x8.shr_u (local.get $lo1) (i32.const 4)) (local.get $mask)))
        (local.set $lo0 (v128.and (local.get $lo0) (local.get $mask)))
        (local.set $lo1 (v128.and (local.get $lo1) (local.get $mask)))
        (local.set $lo (v128.load (local.get $table)))
        (local.set $hi (v128.load offset=16 (local.get $table)))
        (local.set $a0 (v128.xor (local.get $a0) (v128.xor
          (i8x16.swizzle (local.get $lo) (local.get $lo0)) (i8x16.swizzle (local.get $hi) (local.get $hi0)))))
        (local.set $a1 (v128.xor (local.get $a1) (v128.xor
          (i8x16.swizzle (local.get $lo) (local.get $lo1)) (i8x16.swizzle (local.get $hi) (local.get $hi1)))))
        (local.set $lo (v128.load offset=32 (local.get $table)))
        (local.set $hi (v128.load offset=48 (local.get $table)))
        (local.set $b0 (v128.xor (local.get $b0) (v128.xor
          (i8x16.swizzle (local.get $lo) (local.get $lo0)) (i8x16.swizzle (local.get $hi) (local.get $hi0)))))
        (local.set $b1 (v128.xor (local.get $b1) (v128.xor
          (i8x16.swizzle (local.get $lo) (local.get $lo1)) (i8x16.swizzle (local.get $hi) (local.get $hi1)))))
        (local.set $from (i32.add (local.get $from) (local.get $stride)))
        (local.set $table (i32.add (local.get $table) (i32.const 64)))
        (br_if $each_input (local.tee $left (i32.sub (local.get $left) (i32.const 1)))))))
      (local.set $from (i32.add (local.get $output) (local.get $offset)))
      (v128.store (local.get $from) (local.get $a0))
      (v128.store offset=16 (local.get $from) (local.get $a1))
      (local.set $from (i32.add (local.get $from) (local.get $stride)))
      (v128.store (local.get $from) (local.get $b0))
      (v128.store offset=16 (local.get $from) (local.get $b1))
      (br_if $step (i32.lt_u
        (local.tee $offset (i32.add (local.get $offset) (i32.const 32))) (local.get $length)))))

  ;; One output, 32 bytes per step; as $code_three with output a only.
  (func $code_one
    (param $tables i32) (param $inputs i32) (param $input i32)
    (param $output i32) (param $stride i32) (param $length i32)
    (local $offset i32) (local $left i32) (local $from i32) (local $table i32)
    (local $mask v128) (local $lo v128) (local $hi v128)
    (local $lo0 v128) (local $hi0 v128) (local $lo1 v128) (local $hi1 v128)
    (local $a0 v128) (local $a1 v128)
    (local.set $mask (i8x16.splat (i32.const 0x0f)))
    (loop $step
      ;; The first input sets the accumulators, the rest XOR into them (as in $code_three).
      (local.set $from (i32.add (local.get $input) (local.get $offset)))
      (local.set $lo0 (v128.load (local.get $from)))
      (local.set $lo1 (v128.load offset=16 (local.get $from)))
      (local.set $hi0 (v128.and (i16x8.shr_u (local.get $lo0) (i32.const 4)) (local.get $mask)))
      (local.set $hi1 (v128.and (i16x8.shr_u (local.get $lo1) (i32.const 4)) (local.get $mask)))
      (local.set $lo0 (v128.and (local.get $lo0) (local.get $mask)))
      (local.set $lo1 (v128.and (local.get $lo1) (local.get $mask)))
      (local.set $lo (v128.load (local.get $tables)))
      (local.set $hi (v128.load offset=16 (local.get $tables)))
      (local.set $a0 (v128.xor
        (i8x16.swizzle (local.get $lo) (local.get $lo0)) (i8x16.swizzle (local.get $hi) (local.get $hi0))))
      (local.set $a1 (v128.xor
        (i8x16.swizzle (local.get $lo) (local.get $lo1)) (i8x16.swizzle (local.get $hi) (local.get $hi1))))
      (local.set $from (i32.add (local.get $from) (local.get $stride)))
      (local.set $table (i32.add (local.get $tables) (i32.const 32)))
      (local.set $left (i32.sub (local.get $inputs) (i32.const 1)))
      (if (local.get $left) (then
      (loop $each_input
        (local.set $lo0 (v128.load (local.get $from)))
        (local.set $lo1 (v128.load offset=16 (local.get $from)))
        (local.set $hi0 (v128.and (i16x8.shr_u (local.get $lo0) (i32.const 4)) (local.get $mask)))
        (local.set $hi1 (v128.and (i16x8.shr_u (local.get $lo1) (i32.const 4)) (local.get $mask)))
        (local.set $lo0 (v128.and (local.get $lo0) (local.get $mask)))
        (local.set $lo1 (v128.and (local.get $lo1) (local.get $mask)))
        (local.set $lo (v128.load (local.get $table)))
        (local.set $hi (v128.load offset=16 (local.get $table)))
        (local.set $a0 (v128.xor (local.get $a0) (v128.xor
          (i8x16.swizzle (local.get $lo) (local.get $lo0)) (i8x16.swizzle (local.get $hi) (local.get $hi0)))))
        (local.set $a1 (v128.xor (local.get $a1) (v128.xor
          (i8x16.swizzle (local.get $lo) (local.get $lo1)) (i8x16.swizzle (local.get $hi) (local.get $hi1)))))
        (local.set $from (i32.add (local.get $from) (local.get $stride)))
        (local.set $table (i32.add (local.get $table) (i32.const 32)))
        (br_if $each_input (local.tee $left (i32.sub (local.get $left) (i32.const 1)))))))
      (local.set $from (i32.add (local.get $output) (local.get $offset)))
      (v128.store (local.get $from) (local.get $a0))
      (v128.store offset=16 (local.get $from) (local.get $a1))
      (br_if $step (i32.lt_u
        (local.tee $offset (i32.add (local.get $offset) (i32.const 32))) (local.get $length))))))
