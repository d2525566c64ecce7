;; MIM Lab's own WebAssembly SIMD kernels. They run on the memory of TF.js's wasm backend (imported), reading and
;; writing tensors in place, so a fused op costs one kernel call and no copies. Compiled with wabt at build time
;; (scripts/build.mjs → dist/mim-kernels.wasm; from source, src/ml/kernels/wasm-kernels.ts compiles it on load).
;; The line marked MEMORY is rewritten for the single-threaded build (an unshared memory).
;;
;; Conventions: every pointer is a byte address; row strides are given in floats; tensors are row-major f32.
;; Attention works on flattened token matrices [B·N, ·] where head h of a row occupies floats [h·dh, (h+1)·dh)
;; starting at the given pointer; dh must be a multiple of 4 (the caller checks).
(module
  (memory (import "env" "memory") 1 65536 shared) ;; MEMORY

  ;; ---- elementary functions --------------------------------------------------------------------------

  ;; e^x per lane (Cephes expf: Cody-Waite reduction, degree-6 polynomial; relative error < 1e-7 for x ≥ -87.3).
  (func $exp4 (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.max (f32x4.min (local.get $x) (v128.const f32x4 88.3762626647949 88.3762626647949 88.3762626647949 88.3762626647949))
                             (v128.const f32x4 -87.3365478515625 -87.3365478515625 -87.3365478515625 -87.3365478515625)))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
    (local.set $r (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
                             (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    (local.set $p (f32x4.add (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
                             (v128.const f32x4 1 1 1 1)))
    ;; × 2^n through the exponent bits
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  ;; erf(x) per lane (Eigen's rational approximation on [-4, 4]; absolute error < 4e-7).
  (func $erf4 (param $x v128) (result v128)
    (local $x2 v128) (local $p v128) (local $q v128)
    (local.set $x (f32x4.max (f32x4.min (local.get $x) (v128.const f32x4 4 4 4 4)) (v128.const f32x4 -4 -4 -4 -4)))
    (local.set $x2 (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $p (v128.const f32x4 -2.72614225801306e-10 -2.72614225801306e-10 -2.72614225801306e-10 -2.72614225801306e-10))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (v128.const f32x4 2.77068142495902e-08 2.77068142495902e-08 2.77068142495902e-08 2.77068142495902e-08)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (v128.const f32x4 -2.10102402082508e-06 -2.10102402082508e-06 -2.10102402082508e-06 -2.10102402082508e-06)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (v128.const f32x4 -5.69250639462346e-05 -5.69250639462346e-05 -5.69250639462346e-05 -5.69250639462346e-05)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (v128.const f32x4 -7.34990630326855e-04 -7.34990630326855e-04 -7.34990630326855e-04 -7.34990630326855e-04)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (v128.const f32x4 -2.95459980854025e-03 -2.95459980854025e-03 -2.95459980854025e-03 -2.95459980854025e-03)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $x2)) (v128.const f32x4 -1.60960333262415e-02 -1.60960333262415e-02 -1.60960333262415e-02 -1.60960333262415e-02)))
    (local.set $p (f32x4.mul (local.get $p) (local.get $x)))
    (local.set $q (v128.const f32x4 -1.45660718464996e-05 -1.45660718464996e-05 -1.45660718464996e-05 -1.45660718464996e-05))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $x2)) (v128.const f32x4 -2.13374055278905e-04 -2.13374055278905e-04 -2.13374055278905e-04 -2.13374055278905e-04)))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $x2)) (v128.const f32x4 -1.68282697438203e-03 -1.68282697438203e-03 -1.68282697438203e-03 -1.68282697438203e-03)))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $x2)) (v128.const f32x4 -7.37332916720468e-03 -7.37332916720468e-03 -7.37332916720468e-03 -7.37332916720468e-03)))
    (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $x2)) (v128.const f32x4 -1.42647390514189e-02 -1.42647390514189e-02 -1.42647390514189e-02 -1.42647390514189e-02)))
    (f32x4.div (local.get $p) (local.get $q)))

  ;; Sum of the four lanes.
  (func $hsum (param $a v128) (result f32)
    (local.set $a (f32x4.add (local.get $a) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a))))
    (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a))))

  ;; [Σa, Σb, Σc, Σd]: four horizontal sums as one vector.
  (func $hsum4 (param $a v128) (param $b v128) (param $c v128) (param $d v128) (result v128)
    (local $u v128) (local $w v128)
    ;; u = [a0+a2, b0+b2, a1+a3, b1+b3], w likewise for c, d
    (local.set $u (f32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b))
                             (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b))))
    (local.set $w (f32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $c) (local.get $d))
                             (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $c) (local.get $d))))
    (f32x4.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $u) (local.get $w))
               (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $u) (local.get $w))))

  ;; ---- attention building blocks ---------------------------------------------------------------------

  ;; out[j] = scale · <a, rows_j> for j < n, where rows_j = rows + j·rowStrideB and vectors have dhB bytes.
  (func $dots (param $a i32) (param $rows i32) (param $rsB i32) (param $out i32) (param $n i32) (param $dhB i32) (param $scale f32)
    (local $j i32) (local $d i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local $av v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $sv v128)
    (local.set $sv (f32x4.splat (local.get $scale)))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (local.set $r0 (i32.add (local.get $rows) (i32.mul (local.get $j) (local.get $rsB))))
        (local.set $r1 (i32.add (local.get $r0) (local.get $rsB)))
        (local.set $r2 (i32.add (local.get $r1) (local.get $rsB)))
        (local.set $r3 (i32.add (local.get $r2) (local.get $rsB)))
        (local.set $c0 (v128.const i32x4 0 0 0 0))
        (local.set $c1 (v128.const i32x4 0 0 0 0))
        (local.set $c2 (v128.const i32x4 0 0 0 0))
        (local.set $c3 (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (loop $dl
          (local.set $av (v128.load (i32.add (local.get $a) (local.get $d))))
          (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $r0) (local.get $d))))))
          (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $r1) (local.get $d))))))
          (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $r2) (local.get $d))))))
          (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $av) (v128.load (i32.add (local.get $r3) (local.get $d))))))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
          (br_if $dl (i32.lt_u (local.get $d) (local.get $dhB))))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
          (f32x4.mul (call $hsum4 (local.get $c0) (local.get $c1) (local.get $c2) (local.get $c3)) (local.get $sv)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $next4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $r0 (i32.add (local.get $rows) (i32.mul (local.get $j) (local.get $rsB))))
        (local.set $c0 (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (loop $dl1
          (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $d))) (v128.load (i32.add (local.get $r0) (local.get $d))))))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
          (br_if $dl1 (i32.lt_u (local.get $d) (local.get $dhB))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))) (f32.mul (call $hsum (local.get $c0)) (local.get $scale)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next))))

  ;; out[0..dh) = Σ_{i<n} coef[i·csB] · rows[i·rsB][0..dh)   (out is overwritten)
  (func $axpy (param $coef i32) (param $csB i32) (param $rows i32) (param $rsB i32) (param $out i32) (param $n i32) (param $dhB i32)
    (local $d i32) (local $i i32) (local $r i32) (local $cp i32) (local $s v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    ;; 16 floats at a time
    (block $done16
      (loop $next16
        (br_if $done16 (i32.gt_u (i32.add (local.get $d) (i32.const 64)) (local.get $dhB)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $r (i32.add (local.get $rows) (local.get $d)))
        (local.set $cp (local.get $coef))
        (local.set $i (i32.const 0))
        (block $ei
          (loop $li
            (br_if $ei (i32.ge_s (local.get $i) (local.get $n)))
            (local.set $s (v128.load32_splat (local.get $cp)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (v128.load (local.get $r)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $r)))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (v128.load offset=32 (local.get $r)))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (v128.load offset=48 (local.get $r)))))
            (local.set $r (i32.add (local.get $r) (local.get $rsB)))
            (local.set $cp (i32.add (local.get $cp) (local.get $csB)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $li)))
        (v128.store (i32.add (local.get $out) (local.get $d)) (local.get $a0))
        (v128.store offset=16 (i32.add (local.get $out) (local.get $d)) (local.get $a1))
        (v128.store offset=32 (i32.add (local.get $out) (local.get $d)) (local.get $a2))
        (v128.store offset=48 (i32.add (local.get $out) (local.get $d)) (local.get $a3))
        (local.set $d (i32.add (local.get $d) (i32.const 64)))
        (br $next16)))
    ;; the rest, 4 floats at a time
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $d) (local.get $dhB)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $r (i32.add (local.get $rows) (local.get $d)))
        (local.set $cp (local.get $coef))
        (local.set $i (i32.const 0))
        (block $ei4
          (loop $li4
            (br_if $ei4 (i32.ge_s (local.get $i) (local.get $n)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load32_splat (local.get $cp)) (v128.load (local.get $r)))))
            (local.set $r (i32.add (local.get $r) (local.get $rsB)))
            (local.set $cp (i32.add (local.get $cp) (local.get $csB)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $li4)))
        (v128.store (i32.add (local.get $out) (local.get $d)) (local.get $a0))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (br $next4))))

  ;; In place: p[0..n) ← softmax(p[0..n)).
  (func $softmax_row (param $p i32) (param $n i32)
    (local $j i32) (local $m f32) (local $mv v128) (local $sum v128) (local $e v128) (local $s f32) (local $inv v128)
    (local.set $m (f32.const -inf))
    (local.set $j (i32.const 0))
    (block $d0 (loop $l0
      (br_if $d0 (i32.ge_s (local.get $j) (local.get $n)))
      (local.set $m (f32.max (local.get $m) (f32.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $l0)))
    (local.set $mv (f32x4.splat (local.get $m)))
    (local.set $sum (v128.const i32x4 0 0 0 0))
    (local.set $j (i32.const 0))
    (block $d1 (loop $l1
      (br_if $d1 (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
      (local.set $e (call $exp4 (f32x4.sub (v128.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2)))) (local.get $mv))))
      (v128.store (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))) (local.get $e))
      (local.set $sum (f32x4.add (local.get $sum) (local.get $e)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $l1)))
    (local.set $s (call $hsum (local.get $sum)))
    (block $d2 (loop $l2
      (br_if $d2 (i32.ge_s (local.get $j) (local.get $n)))
      (local.set $e (call $exp4 (f32x4.sub (v128.load32_splat (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2)))) (local.get $mv))))
      (f32.store (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))) (f32x4.extract_lane 0 (local.get $e)))
      (local.set $s (f32.add (local.get $s) (f32x4.extract_lane 0 (local.get $e))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $l2)))
    (local.set $inv (f32x4.splat (f32.div (f32.const 1) (local.get $s))))
    (local.set $j (i32.const 0))
    (block $d3 (loop $l3
      (br_if $d3 (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
      (v128.store (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2)))
        (f32x4.mul (v128.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2)))) (local.get $inv)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $l3)))
    (block $d4 (loop $l4
      (br_if $d4 (i32.ge_s (local.get $j) (local.get $n)))
      (f32.store (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2)))
        (f32.mul (f32.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2)))) (f32x4.extract_lane 0 (local.get $inv))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $l4))))

  ;; ---- attention -------------------------------------------------------------------------------------

  ;; probs[b,h,i,:] = softmax(scale · q_i·k_jᵀ); out_i = Σ_j probs_ij v_j, per batch b and head h.
  ;; q/k/v/out: pointer to head 0 of row 0, and row strides in floats.
  (func (export "attn_fwd")
    (param $q i32) (param $qs i32) (param $k i32) (param $ks i32) (param $v i32) (param $vs i32) (param $out i32) (param $os i32)
    (param $probs i32) (param $B i32) (param $H i32) (param $Nq i32) (param $Nk i32) (param $dh i32) (param $scale f32)
    (local $b i32) (local $h i32) (local $i i32) (local $dhB i32) (local $rowP i32)
    (local $qb i32) (local $kb i32) (local $vb i32) (local $ob i32) (local $pb i32)
    (local.set $qs (i32.shl (local.get $qs) (i32.const 2)))
    (local.set $ks (i32.shl (local.get $ks) (i32.const 2)))
    (local.set $vs (i32.shl (local.get $vs) (i32.const 2)))
    (local.set $os (i32.shl (local.get $os) (i32.const 2)))
    (local.set $dhB (i32.shl (local.get $dh) (i32.const 2)))
    (local.set $rowP (i32.shl (local.get $Nk) (i32.const 2)))
    (local.set $pb (local.get $probs))
    (local.set $b (i32.const 0))
    (loop $lb
      (local.set $h (i32.const 0))
      (loop $lh
        (local.set $qb (i32.add (i32.add (local.get $q) (i32.mul (i32.mul (local.get $b) (local.get $Nq)) (local.get $qs))) (i32.mul (local.get $h) (local.get $dhB))))
        (local.set $kb (i32.add (i32.add (local.get $k) (i32.mul (i32.mul (local.get $b) (local.get $Nk)) (local.get $ks))) (i32.mul (local.get $h) (local.get $dhB))))
        (local.set $vb (i32.add (i32.add (local.get $v) (i32.mul (i32.mul (local.get $b) (local.get $Nk)) (local.get $vs))) (i32.mul (local.get $h) (local.get $dhB))))
        (local.set $ob (i32.add (i32.add (local.get $out) (i32.mul (i32.mul (local.get $b) (local.get $Nq)) (local.get $os))) (i32.mul (local.get $h) (local.get $dhB))))
        (local.set $i (i32.const 0))
        (loop $li
          (call $dots (local.get $qb) (local.get $kb) (local.get $ks) (local.get $pb) (local.get $Nk) (local.get $dhB) (local.get $scale))
          (call $softmax_row (local.get $pb) (local.get $Nk))
          (call $axpy (local.get $pb) (i32.const 4) (local.get $vb) (local.get $vs) (local.get $ob) (local.get $Nk) (local.get $dhB))
          (local.set $qb (i32.add (local.get $qb) (local.get $qs)))
          (local.set $ob (i32.add (local.get $ob) (local.get $os)))
          (local.set $pb (i32.add (local.get $pb) (local.get $rowP)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $li (i32.lt_s (local.get $i) (local.get $Nq))))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br_if $lh (i32.lt_s (local.get $h) (local.get $H))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $lb (i32.lt_s (local.get $b) (local.get $B)))))

  ;; Backward of attn_fwd. With dS = P ⊙ (dP − rowsum(P ⊙ dP)), dP = dO·Vᵀ (+ dprobs when dprobs ≠ 0):
  ;; dq_i = scale·Σ_j dS_ij k_j, dk_j = scale·Σ_i dS_ij q_i, dv_j = Σ_i P_ij dO_i. scratch holds Nq·Nk floats.
  (func (export "attn_bwd")
    (param $q i32) (param $qs i32) (param $k i32) (param $ks i32) (param $v i32) (param $vs i32)
    (param $probs i32) (param $dout i32) (param $dos i32) (param $dprobs i32)
    (param $dq i32) (param $dqs i32) (param $dk i32) (param $dks i32) (param $dv i32) (param $dvs i32) (param $scratch i32)
    (param $B i32) (param $H i32) (param $Nq i32) (param $Nk i32) (param $dh i32) (param $scale f32)
    (local $b i32) (local $h i32) (local $i i32) (local $j i32) (local $dhB i32) (local $rowP i32)
    (local $qb i32) (local $kb i32) (local $vb i32) (local $dob i32) (local $dqb i32) (local $dkb i32) (local $dvb i32)
    (local $pb i32) (local $dpb i32) (local $si i32) (local $pi i32) (local $c f32) (local $cv v128) (local $sv v128)
    (local.set $qs (i32.shl (local.get $qs) (i32.const 2)))
    (local.set $ks (i32.shl (local.get $ks) (i32.const 2)))
    (local.set $vs (i32.shl (local.get $vs) (i32.const 2)))
    (local.set $dos (i32.shl (local.get $dos) (i32.const 2)))
    (local.set $dqs (i32.shl (local.get $dqs) (i32.const 2)))
    (local.set $dks (i32.shl (local.get $dks) (i32.const 2)))
    (local.set $dvs (i32.shl (local.get $dvs) (i32.const 2)))
    (local.set $dhB (i32.shl (local.get $dh) (i32.const 2)))
    (local.set $rowP (i32.shl (local.get $Nk) (i32.const 2)))
    (local.set $sv (f32x4.splat (local.get $scale)))
    (local.set $b (i32.const 0))
    (loop $lb
      (local.set $h (i32.const 0))
      (loop $lh
        (local.set $qb (i32.add (i32.add (local.get $q) (i32.mul (i32.mul (local.get $b) (local.get $Nq)) (local.get $qs))) (i32.mul (local.get $h) (local.get $dhB))))
        (local.set $kb (i32.add (i32.add (local.get $k) (i32.mul (i32.mul (local.get $b) (local.get $Nk)) (local.get $ks))) (i32.mul (local.get $h) (local.get $dhB))))
        (local.set $vb (i32.add (i32.add (local.get $v) (i32.mul (i32.mul (local.get $b) (local.get $Nk)) (local.get $vs))) (i32.mul (local.get $h) (local.get $dhB))))
        (local.set $dob (i32.add (i32.add (local.get $dout) (i32.mul (i32.mul (local.get $b) (local.get $Nq)) (local.get $dos))) (i32.mul (local.get $h) (local.get $dhB))))
        (local.set $dqb (i32.add (i32.add (local.get $dq) (i32.mul (i32.mul (local.get $b) (local.get $Nq)) (local.get $dqs))) (i32.mul (local.get $h) (local.get $dhB))))
        (local.set $dkb (i32.add (i32.add (local.get $dk) (i32.mul (i32.mul (local.get $b) (local.get $Nk)) (local.get $dks))) (i32.mul (local.get $h) (local.get $dhB))))
        (local.set $dvb (i32.add (i32.add (local.get $dv) (i32.mul (i32.mul (local.get $b) (local.get $Nk)) (local.get $dvs))) (i32.mul (local.get $h) (local.get $dhB))))
        (local.set $pb (i32.add (local.get $probs) (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $h)) (local.get $Nq)) (local.get $rowP))))
        (local.set $dpb (i32.add (local.get $dprobs) (i32.sub (local.get $pb) (local.get $probs))))
        ;; rows of dS (scaled) into scratch, and dq
        (local.set $i (i32.const 0))
        (loop $li
          (local.set $si (i32.add (local.get $scratch) (i32.mul (local.get $i) (local.get $rowP))))
          (local.set $pi (i32.add (local.get $pb) (i32.mul (local.get $i) (local.get $rowP))))
          (call $dots (i32.add (local.get $dob) (i32.mul (local.get $i) (local.get $dos))) (local.get $vb) (local.get $vs) (local.get $si) (local.get $Nk) (local.get $dhB) (f32.const 1))
          (if (local.get $dprobs)
            (then
              (local.set $j (i32.const 0))
              (block $de (loop $le
                (br_if $de (i32.ge_s (local.get $j) (local.get $Nk)))
                (f32.store (i32.add (local.get $si) (i32.shl (local.get $j) (i32.const 2)))
                  (f32.add (f32.load (i32.add (local.get $si) (i32.shl (local.get $j) (i32.const 2))))
                           (f32.load (i32.add (i32.add (local.get $dpb) (i32.mul (local.get $i) (local.get $rowP))) (i32.shl (local.get $j) (i32.const 2))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $le)))))
          ;; c = Σ_j P_ij dP_ij
          (local.set $c (f32.const 0))
          (local.set $cv (v128.const i32x4 0 0 0 0))
          (local.set $j (i32.const 0))
          (block $dc (loop $lc
            (br_if $dc (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $Nk)))
            (local.set $cv (f32x4.add (local.get $cv) (f32x4.mul (v128.load (i32.add (local.get $pi) (i32.shl (local.get $j) (i32.const 2))))
                                                                  (v128.load (i32.add (local.get $si) (i32.shl (local.get $j) (i32.const 2)))))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $lc)))
          (local.set $c (call $hsum (local.get $cv)))
          (block $dc1 (loop $lc1
            (br_if $dc1 (i32.ge_s (local.get $j) (local.get $Nk)))
            (local.set $c (f32.add (local.get $c) (f32.mul (f32.load (i32.add (local.get $pi) (i32.shl (local.get $j) (i32.const 2))))
                                                           (f32.load (i32.add (local.get $si) (i32.shl (local.get $j) (i32.const 2)))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $lc1)))
          ;; dS_ij·scale = P_ij (dP_ij − c)·scale
          (local.set $cv (f32x4.splat (local.get $c)))
          (local.set $j (i32.const 0))
          (block $ds (loop $ls
            (br_if $ds (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $Nk)))
            (v128.store (i32.add (local.get $si) (i32.shl (local.get $j) (i32.const 2)))
              (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $pi) (i32.shl (local.get $j) (i32.const 2))))
                                    (f32x4.sub (v128.load (i32.add (local.get $si) (i32.shl (local.get $j) (i32.const 2)))) (local.get $cv)))
                         (local.get $sv)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $ls)))
          (block $ds1 (loop $ls1
            (br_if $ds1 (i32.ge_s (local.get $j) (local.get $Nk)))
            (f32.store (i32.add (local.get $si) (i32.shl (local.get $j) (i32.const 2)))
              (f32.mul (f32.mul (f32.load (i32.add (local.get $pi) (i32.shl (local.get $j) (i32.const 2))))
                                (f32.sub (f32.load (i32.add (local.get $si) (i32.shl (local.get $j) (i32.const 2)))) (local.get $c)))
                       (local.get $scale)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $ls1)))
          (call $axpy (local.get $si) (i32.const 4) (local.get $kb) (local.get $ks) (i32.add (local.get $dqb) (i32.mul (local.get $i) (local.get $dqs))) (local.get $Nk) (local.get $dhB))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $li (i32.lt_s (local.get $i) (local.get $Nq))))
        ;; dk_j and dv_j: columns of dS and P
        (local.set $j (i32.const 0))
        (loop $lj
          (call $axpy (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 2))) (local.get $rowP) (local.get $qb) (local.get $qs)
                      (i32.add (local.get $dkb) (i32.mul (local.get $j) (local.get $dks))) (local.get $Nq) (local.get $dhB))
          (call $axpy (i32.add (local.get $pb) (i32.shl (local.get $j) (i32.const 2))) (local.get $rowP) (local.get $dob) (local.get $dos)
                      (i32.add (local.get $dvb) (i32.mul (local.get $j) (local.get $dvs))) (local.get $Nq) (local.get $dhB))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $lj (i32.lt_s (local.get $j) (local.get $Nk))))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br_if $lh (i32.lt_s (local.get $h) (local.get $H))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $lb (i32.lt_s (local.get $b) (local.get $B)))))

  ;; ---- LayerNorm (D a multiple of 4) -----------------------------------------------------------------

  ;; y = (x − mean)·rstd·g + b per row; mean and rstd = 1/√(var + eps) saved per row for the backward pass.
  (func (export "ln_fwd") (param $x i32) (param $g i32) (param $bt i32) (param $y i32) (param $mean i32) (param $rstd i32)
    (param $M i32) (param $D i32) (param $eps f32)
    (local $r i32) (local $c i32) (local $DB i32) (local $xr i32) (local $yr i32)
    (local $acc v128) (local $t v128) (local $mu f32) (local $mv v128) (local $rs f32) (local $rv v128) (local $invD f32)
    (local.set $DB (i32.shl (local.get $D) (i32.const 2)))
    (local.set $invD (f32.div (f32.const 1) (f32.convert_i32_s (local.get $D))))
    (local.set $r (i32.const 0))
    (block $dr (loop $lr
      (br_if $dr (i32.ge_s (local.get $r) (local.get $M)))
      (local.set $xr (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $DB))))
      (local.set $yr (i32.add (local.get $y) (i32.mul (local.get $r) (local.get $DB))))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.const 0))
      (loop $l1
        (local.set $acc (f32x4.add (local.get $acc) (v128.load (i32.add (local.get $xr) (local.get $c)))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br_if $l1 (i32.lt_u (local.get $c) (local.get $DB))))
      (local.set $mu (f32.mul (call $hsum (local.get $acc)) (local.get $invD)))
      (local.set $mv (f32x4.splat (local.get $mu)))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.const 0))
      (loop $l2
        (local.set $t (f32x4.sub (v128.load (i32.add (local.get $xr) (local.get $c))) (local.get $mv)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $t) (local.get $t))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br_if $l2 (i32.lt_u (local.get $c) (local.get $DB))))
      (local.set $rs (f32.div (f32.const 1) (f32.sqrt (f32.add (f32.mul (call $hsum (local.get $acc)) (local.get $invD)) (local.get $eps)))))
      (local.set $rv (f32x4.splat (local.get $rs)))
      (f32.store (i32.add (local.get $mean) (i32.shl (local.get $r) (i32.const 2))) (local.get $mu))
      (f32.store (i32.add (local.get $rstd) (i32.shl (local.get $r) (i32.const 2))) (local.get $rs))
      (local.set $c (i32.const 0))
      (loop $l3
        (v128.store (i32.add (local.get $yr) (local.get $c))
          (f32x4.add (f32x4.mul (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $xr) (local.get $c))) (local.get $mv)) (local.get $rv))
                                (v128.load (i32.add (local.get $g) (local.get $c))))
                     (v128.load (i32.add (local.get $bt) (local.get $c)))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br_if $l3 (i32.lt_u (local.get $c) (local.get $DB))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $lr))))

  ;; dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) with x̂ = (x − mean)·rstd, dx̂ = dy·g; dg = Σ_rows dy·x̂; db = Σ_rows dy.
  (func (export "ln_bwd") (param $dy i32) (param $x i32) (param $g i32) (param $mean i32) (param $rstd i32)
    (param $dx i32) (param $dg i32) (param $db i32) (param $M i32) (param $D i32)
    (local $r i32) (local $c i32) (local $DB i32) (local $xr i32) (local $dyr i32) (local $dxr i32)
    (local $mv v128) (local $rv v128) (local $xh v128) (local $dyv v128) (local $dxh v128) (local $sa v128) (local $sb v128)
    (local $av v128) (local $bv v128) (local $invD f32)
    (local.set $DB (i32.shl (local.get $D) (i32.const 2)))
    (local.set $invD (f32.div (f32.const 1) (f32.convert_i32_s (local.get $D))))
    (local.set $c (i32.const 0))
    (loop $z
      (v128.store (i32.add (local.get $dg) (local.get $c)) (v128.const i32x4 0 0 0 0))
      (v128.store (i32.add (local.get $db) (local.get $c)) (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br_if $z (i32.lt_u (local.get $c) (local.get $DB))))
    (local.set $r (i32.const 0))
    (block $dr (loop $lr
      (br_if $dr (i32.ge_s (local.get $r) (local.get $M)))
      (local.set $xr (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $DB))))
      (local.set $dyr (i32.add (local.get $dy) (i32.mul (local.get $r) (local.get $DB))))
      (local.set $dxr (i32.add (local.get $dx) (i32.mul (local.get $r) (local.get $DB))))
      (local.set $mv (v128.load32_splat (i32.add (local.get $mean) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $rv (v128.load32_splat (i32.add (local.get $rstd) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $sa (v128.const i32x4 0 0 0 0))
      (local.set $sb (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.const 0))
      (loop $l1
        (local.set $xh (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $xr) (local.get $c))) (local.get $mv)) (local.get $rv)))
        (local.set $dyv (v128.load (i32.add (local.get $dyr) (local.get $c))))
        (local.set $dxh (f32x4.mul (local.get $dyv) (v128.load (i32.add (local.get $g) (local.get $c)))))
        (local.set $sa (f32x4.add (local.get $sa) (local.get $dxh)))
        (local.set $sb (f32x4.add (local.get $sb) (f32x4.mul (local.get $dxh) (local.get $xh))))
        (v128.store (i32.add (local.get $dg) (local.get $c)) (f32x4.add (v128.load (i32.add (local.get $dg) (local.get $c))) (f32x4.mul (local.get $dyv) (local.get $xh))))
        (v128.store (i32.add (local.get $db) (local.get $c)) (f32x4.add (v128.load (i32.add (local.get $db) (local.get $c))) (local.get $dyv)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br_if $l1 (i32.lt_u (local.get $c) (local.get $DB))))
      (local.set $av (f32x4.splat (f32.mul (call $hsum (local.get $sa)) (local.get $invD))))
      (local.set $bv (f32x4.splat (f32.mul (call $hsum (local.get $sb)) (local.get $invD))))
      (local.set $c (i32.const 0))
      (loop $l2
        (local.set $xh (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $xr) (local.get $c))) (local.get $mv)) (local.get $rv)))
        (local.set $dxh (f32x4.mul (v128.load (i32.add (local.get $dyr) (local.get $c))) (v128.load (i32.add (local.get $g) (local.get $c)))))
        (v128.store (i32.add (local.get $dxr) (local.get $c))
          (f32x4.mul (local.get $rv) (f32x4.sub (f32x4.sub (local.get $dxh) (local.get $av)) (f32x4.mul (local.get $xh) (local.get $bv)))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br_if $l2 (i32.lt_u (local.get $c) (local.get $DB))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $lr))))

  ;; ---- GELU (exact, erf) -----------------------------------------------------------------------------
  ;; The loops inline erf/exp with their constants held in locals (a v128.const inside a loop is rebuilt on
  ;; every use by V8); the scalar tails reuse $erf4/$exp4 on a splat.

  ;; y = x·0.5·(1 + erf(x/√2)) over n floats.
  (func (export "gelu_fwd") (param $x i32) (param $y i32) (param $n i32)
    (local $i i32) (local $end i32) (local $xv v128) (local $t v128) (local $t2 v128) (local $p v128) (local $q v128)
    (local $hi v128) (local $lo v128) (local $half v128) (local $one v128) (local $r2 v128)
    (local $a1 v128) (local $a3 v128) (local $a5 v128) (local $a7 v128) (local $a9 v128) (local $a11 v128) (local $a13 v128)
    (local $b0 v128) (local $b2 v128) (local $b4 v128) (local $b6 v128) (local $b8 v128)
    (local.set $hi (v128.const f32x4 4 4 4 4)) (local.set $lo (v128.const f32x4 -4 -4 -4 -4))
    (local.set $half (v128.const f32x4 0.5 0.5 0.5 0.5)) (local.set $one (v128.const f32x4 1 1 1 1))
    (local.set $r2 (v128.const f32x4 0.7071067811865476 0.7071067811865476 0.7071067811865476 0.7071067811865476))
    (local.set $a1 (v128.const f32x4 -1.60960333262415e-02 -1.60960333262415e-02 -1.60960333262415e-02 -1.60960333262415e-02))
    (local.set $a3 (v128.const f32x4 -2.95459980854025e-03 -2.95459980854025e-03 -2.95459980854025e-03 -2.95459980854025e-03))
    (local.set $a5 (v128.const f32x4 -7.34990630326855e-04 -7.34990630326855e-04 -7.34990630326855e-04 -7.34990630326855e-04))
    (local.set $a7 (v128.const f32x4 -5.69250639462346e-05 -5.69250639462346e-05 -5.69250639462346e-05 -5.69250639462346e-05))
    (local.set $a9 (v128.const f32x4 -2.10102402082508e-06 -2.10102402082508e-06 -2.10102402082508e-06 -2.10102402082508e-06))
    (local.set $a11 (v128.const f32x4 2.77068142495902e-08 2.77068142495902e-08 2.77068142495902e-08 2.77068142495902e-08))
    (local.set $a13 (v128.const f32x4 -2.72614225801306e-10 -2.72614225801306e-10 -2.72614225801306e-10 -2.72614225801306e-10))
    (local.set $b0 (v128.const f32x4 -1.42647390514189e-02 -1.42647390514189e-02 -1.42647390514189e-02 -1.42647390514189e-02))
    (local.set $b2 (v128.const f32x4 -7.37332916720468e-03 -7.37332916720468e-03 -7.37332916720468e-03 -7.37332916720468e-03))
    (local.set $b4 (v128.const f32x4 -1.68282697438203e-03 -1.68282697438203e-03 -1.68282697438203e-03 -1.68282697438203e-03))
    (local.set $b6 (v128.const f32x4 -2.13374055278905e-04 -2.13374055278905e-04 -2.13374055278905e-04 -2.13374055278905e-04))
    (local.set $b8 (v128.const f32x4 -1.45660718464996e-05 -1.45660718464996e-05 -1.45660718464996e-05 -1.45660718464996e-05))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $d4 (loop $l4
      (br_if $d4 (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (local.set $xv (v128.load (i32.add (local.get $x) (local.get $i))))
      ;; t = clamp(x/√2, −4, 4); erf(t) = t·P(t²)/Q(t²)
      (local.set $t (f32x4.max (f32x4.min (f32x4.mul (local.get $xv) (local.get $r2)) (local.get $hi)) (local.get $lo)))
      (local.set $t2 (f32x4.mul (local.get $t) (local.get $t)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $a13) (local.get $t2)) (local.get $a11)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t2)) (local.get $a9)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t2)) (local.get $a7)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t2)) (local.get $a5)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t2)) (local.get $a3)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t2)) (local.get $a1)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $b8) (local.get $t2)) (local.get $b6)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $t2)) (local.get $b4)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $t2)) (local.get $b2)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $t2)) (local.get $b0)))
      (v128.store (i32.add (local.get $y) (local.get $i))
        (f32x4.mul (f32x4.mul (local.get $xv) (local.get $half))
                   (f32x4.add (f32x4.div (f32x4.mul (local.get $t) (local.get $p)) (local.get $q)) (local.get $one))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l4)))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $xv (v128.load32_splat (i32.add (local.get $x) (local.get $i))))
      (f32.store (i32.add (local.get $y) (local.get $i))
        (f32x4.extract_lane 0
          (f32x4.mul (f32x4.mul (local.get $xv) (local.get $half))
                     (f32x4.add (call $erf4 (f32x4.mul (local.get $xv) (local.get $r2))) (local.get $one)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1))))

  ;; gelu'(x) = 0.5·(1 + erf(x/√2)) + x·e^(−x²/2)/√(2π)
  (func $dgelu4 (param $xv v128) (result v128)
    (f32x4.add
      (f32x4.mul (v128.const f32x4 0.5 0.5 0.5 0.5)
                 (f32x4.add (call $erf4 (f32x4.mul (local.get $xv) (v128.const f32x4 0.7071067811865476 0.7071067811865476 0.7071067811865476 0.7071067811865476)))
                            (v128.const f32x4 1 1 1 1)))
      (f32x4.mul (f32x4.mul (local.get $xv) (v128.const f32x4 0.3989422804014327 0.3989422804014327 0.3989422804014327 0.3989422804014327))
                 (call $exp4 (f32x4.mul (f32x4.mul (local.get $xv) (local.get $xv)) (v128.const f32x4 -0.5 -0.5 -0.5 -0.5))))))

  ;; dx = dy·gelu'(x) over n floats (the loop is $dgelu4 inlined, see gelu_fwd).
  (func (export "gelu_bwd") (param $x i32) (param $dy i32) (param $dx i32) (param $n i32)
    (local $i i32) (local $end i32) (local $xv v128) (local $t v128) (local $t2 v128) (local $p v128) (local $q v128)
    (local $e v128) (local $k v128) (local $r v128) (local $ep v128)
    (local $hi v128) (local $lo v128) (local $half v128) (local $one v128) (local $r2 v128) (local $isq v128)
    (local $a1 v128) (local $a3 v128) (local $a5 v128) (local $a7 v128) (local $a9 v128) (local $a11 v128) (local $a13 v128)
    (local $b0 v128) (local $b2 v128) (local $b4 v128) (local $b6 v128) (local $b8 v128)
    (local $emin v128) (local $log2e v128) (local $c1 v128) (local $c2 v128)
    (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128) (local $e4 v128) (local $e5 v128) (local $bias v128)
    (local.set $hi (v128.const f32x4 4 4 4 4)) (local.set $lo (v128.const f32x4 -4 -4 -4 -4))
    (local.set $half (v128.const f32x4 0.5 0.5 0.5 0.5)) (local.set $one (v128.const f32x4 1 1 1 1))
    (local.set $r2 (v128.const f32x4 0.7071067811865476 0.7071067811865476 0.7071067811865476 0.7071067811865476))
    (local.set $isq (v128.const f32x4 0.3989422804014327 0.3989422804014327 0.3989422804014327 0.3989422804014327))
    (local.set $a1 (v128.const f32x4 -1.60960333262415e-02 -1.60960333262415e-02 -1.60960333262415e-02 -1.60960333262415e-02))
    (local.set $a3 (v128.const f32x4 -2.95459980854025e-03 -2.95459980854025e-03 -2.95459980854025e-03 -2.95459980854025e-03))
    (local.set $a5 (v128.const f32x4 -7.34990630326855e-04 -7.34990630326855e-04 -7.34990630326855e-04 -7.34990630326855e-04))
    (local.set $a7 (v128.const f32x4 -5.69250639462346e-05 -5.69250639462346e-05 -5.69250639462346e-05 -5.69250639462346e-05))
    (local.set $a9 (v128.const f32x4 -2.10102402082508e-06 -2.10102402082508e-06 -2.10102402082508e-06 -2.10102402082508e-06))
    (local.set $a11 (v128.const f32x4 2.77068142495902e-08 2.77068142495902e-08 2.77068142495902e-08 2.77068142495902e-08))
    (local.set $a13 (v128.const f32x4 -2.72614225801306e-10 -2.72614225801306e-10 -2.72614225801306e-10 -2.72614225801306e-10))
    (local.set $b0 (v128.const f32x4 -1.42647390514189e-02 -1.42647390514189e-02 -1.42647390514189e-02 -1.42647390514189e-02))
    (local.set $b2 (v128.const f32x4 -7.37332916720468e-03 -7.37332916720468e-03 -7.37332916720468e-03 -7.37332916720468e-03))
    (local.set $b4 (v128.const f32x4 -1.68282697438203e-03 -1.68282697438203e-03 -1.68282697438203e-03 -1.68282697438203e-03))
    (local.set $b6 (v128.const f32x4 -2.13374055278905e-04 -2.13374055278905e-04 -2.13374055278905e-04 -2.13374055278905e-04))
    (local.set $b8 (v128.const f32x4 -1.45660718464996e-05 -1.45660718464996e-05 -1.45660718464996e-05 -1.45660718464996e-05))
    (local.set $emin (v128.const f32x4 -87.3365478515625 -87.3365478515625 -87.3365478515625 -87.3365478515625))
    (local.set $log2e (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))
    (local.set $c1 (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))
    (local.set $c2 (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))
    (local.set $e0 (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $e1 (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3))
    (local.set $e2 (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3))
    (local.set $e3 (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2))
    (local.set $e4 (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1))
    (local.set $e5 (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1))
    (local.set $bias (v128.const i32x4 127 127 127 127))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $d4 (loop $l4
      (br_if $d4 (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (local.set $xv (v128.load (i32.add (local.get $x) (local.get $i))))
      ;; erf(x/√2) as in gelu_fwd
      (local.set $t (f32x4.max (f32x4.min (f32x4.mul (local.get $xv) (local.get $r2)) (local.get $hi)) (local.get $lo)))
      (local.set $t2 (f32x4.mul (local.get $t) (local.get $t)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $a13) (local.get $t2)) (local.get $a11)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t2)) (local.get $a9)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t2)) (local.get $a7)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t2)) (local.get $a5)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t2)) (local.get $a3)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $t2)) (local.get $a1)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $b8) (local.get $t2)) (local.get $b6)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $t2)) (local.get $b4)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $t2)) (local.get $b2)))
      (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $t2)) (local.get $b0)))
      ;; e^(−x²/2) as in $exp4 (the argument is ≤ 0, so only the lower clamp applies)
      (local.set $e (f32x4.max (f32x4.mul (f32x4.mul (local.get $xv) (local.get $xv)) (f32x4.neg (local.get $half))) (local.get $emin)))
      (local.set $k (f32x4.nearest (f32x4.mul (local.get $e) (local.get $log2e))))
      (local.set $r (f32x4.sub (f32x4.sub (local.get $e) (f32x4.mul (local.get $k) (local.get $c1))) (f32x4.mul (local.get $k) (local.get $c2))))
      (local.set $ep (f32x4.add (f32x4.mul (local.get $e0) (local.get $r)) (local.get $e1)))
      (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $r)) (local.get $e2)))
      (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $r)) (local.get $e3)))
      (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $r)) (local.get $e4)))
      (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $r)) (local.get $e5)))
      (local.set $ep (f32x4.add (f32x4.add (f32x4.mul (local.get $ep) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r)) (local.get $one)))
      (local.set $ep (f32x4.mul (local.get $ep) (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (local.get $bias)) (i32.const 23))))
      (v128.store (i32.add (local.get $dx) (local.get $i))
        (f32x4.mul (v128.load (i32.add (local.get $dy) (local.get $i)))
          (f32x4.add (f32x4.mul (local.get $half) (f32x4.add (f32x4.div (f32x4.mul (local.get $t) (local.get $p)) (local.get $q)) (local.get $one)))
                     (f32x4.mul (f32x4.mul (local.get $xv) (local.get $isq)) (local.get $ep)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l4)))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $dx) (local.get $i))
        (f32x4.extract_lane 0 (f32x4.mul (v128.load32_splat (i32.add (local.get $dy) (local.get $i)))
                                         (call $dgelu4 (v128.load32_splat (i32.add (local.get $x) (local.get $i)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1))))

  ;; ---- column sums (bias gradients) ------------------------------------------------------------------

  ;; out[c] = Σ_r x[r, c] for x [M, N].
  (func (export "colsum") (param $x i32) (param $out i32) (param $M i32) (param $N i32)
    (local $c i32) (local $r i32) (local $p i32) (local $NB i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $s f32)
    (local.set $NB (i32.shl (local.get $N) (i32.const 2)))
    ;; 32 columns at a time
    (block $d32 (loop $l32
      (br_if $d32 (i32.gt_u (i32.add (local.get $c) (i32.const 128)) (local.get $NB)))
      (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
      (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
      (local.set $a4 (v128.const i32x4 0 0 0 0)) (local.set $a5 (v128.const i32x4 0 0 0 0))
      (local.set $a6 (v128.const i32x4 0 0 0 0)) (local.set $a7 (v128.const i32x4 0 0 0 0))
      (local.set $p (i32.add (local.get $x) (local.get $c)))
      (local.set $r (i32.const 0))
      (block $dr (loop $lr
        (br_if $dr (i32.ge_s (local.get $r) (local.get $M)))
        (local.set $a0 (f32x4.add (local.get $a0) (v128.load (local.get $p))))
        (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 (local.get $p))))
        (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 (local.get $p))))
        (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 (local.get $p))))
        (local.set $a4 (f32x4.add (local.get $a4) (v128.load offset=64 (local.get $p))))
        (local.set $a5 (f32x4.add (local.get $a5) (v128.load offset=80 (local.get $p))))
        (local.set $a6 (f32x4.add (local.get $a6) (v128.load offset=96 (local.get $p))))
        (local.set $a7 (f32x4.add (local.get $a7) (v128.load offset=112 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (local.get $NB)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $lr)))
      (local.set $p (i32.add (local.get $out) (local.get $c)))
      (v128.store (local.get $p) (local.get $a0))
      (v128.store offset=16 (local.get $p) (local.get $a1))
      (v128.store offset=32 (local.get $p) (local.get $a2))
      (v128.store offset=48 (local.get $p) (local.get $a3))
      (v128.store offset=64 (local.get $p) (local.get $a4))
      (v128.store offset=80 (local.get $p) (local.get $a5))
      (v128.store offset=96 (local.get $p) (local.get $a6))
      (v128.store offset=112 (local.get $p) (local.get $a7))
      (local.set $c (i32.add (local.get $c) (i32.const 128)))
      (br $l32)))
    ;; 4 columns at a time
    (block $d4 (loop $l4
      (br_if $d4 (i32.gt_u (i32.add (local.get $c) (i32.const 16)) (local.get $NB)))
      (local.set $a0 (v128.const i32x4 0 0 0 0))
      (local.set $p (i32.add (local.get $x) (local.get $c)))
      (local.set $r (i32.const 0))
      (block $dr4 (loop $lr4
        (br_if $dr4 (i32.ge_s (local.get $r) (local.get $M)))
        (local.set $a0 (f32x4.add (local.get $a0) (v128.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (local.get $NB)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $lr4)))
      (v128.store (i32.add (local.get $out) (local.get $c)) (local.get $a0))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l4)))
    ;; single columns
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $c) (local.get $NB)))
      (local.set $s (f32.const 0))
      (local.set $p (i32.add (local.get $x) (local.get $c)))
      (local.set $r (i32.const 0))
      (block $dr1 (loop $lr1
        (br_if $dr1 (i32.ge_s (local.get $r) (local.get $M)))
        (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (local.get $NB)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $lr1)))
      (f32.store (i32.add (local.get $out) (local.get $c)) (local.get $s))
      (local.set $c (i32.add (local.get $c) (i32.const 4)))
      (br $l1))))

  ;; ---- 2-D transpose (the weight gradients' xᵀ) ------------------------------------------------------

  ;; y [C, ldy] ← xᵀ for x [R, C] (y's rows hold ldy ≥ R floats; a row range of x fills a column range of y):
  ;; 4×4 blocks through registers, scalar edges.
  (func (export "transpose2d") (param $x i32) (param $y i32) (param $R i32) (param $C i32) (param $ldy i32)
    (local $i i32) (local $j i32) (local $k i32) (local $RB i32) (local $CB i32) (local $src i32) (local $dst i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $RB (i32.shl (local.get $ldy) (i32.const 2)))
    (local.set $CB (i32.shl (local.get $C) (i32.const 2)))
    (block $di (loop $li
      (br_if $di (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $R)))
      (local.set $j (i32.const 0))
      (block $dj (loop $lj
        (br_if $dj (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $C)))
        (local.set $src (i32.add (local.get $x) (i32.add (i32.mul (local.get $i) (local.get $CB)) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $r0 (v128.load (local.get $src)))
        (local.set $r1 (v128.load (i32.add (local.get $src) (local.get $CB))))
        (local.set $r2 (v128.load (i32.add (local.get $src) (i32.shl (local.get $CB) (i32.const 1)))))
        (local.set $r3 (v128.load (i32.add (local.get $src) (i32.mul (local.get $CB) (i32.const 3)))))
        ;; [a0 b0 a1 b1], [a2 b2 a3 b3], [c0 d0 c1 d1], [c2 d2 c3 d3]
        (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
        (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
        (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
        (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
        (local.set $dst (i32.add (local.get $y) (i32.add (i32.mul (local.get $j) (local.get $RB)) (i32.shl (local.get $i) (i32.const 2)))))
        (v128.store (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $dst) (local.get $RB)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $dst) (i32.shl (local.get $RB) (i32.const 1))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
        (v128.store (i32.add (local.get $dst) (i32.mul (local.get $RB) (i32.const 3))) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $lj)))
      ;; columns left over in these four rows
      (block $dc (loop $lc
        (br_if $dc (i32.ge_s (local.get $j) (local.get $C)))
        (local.set $k (i32.const 0))
        (loop $lk
          (f32.store (i32.add (local.get $y) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $ldy)) (i32.add (local.get $i) (local.get $k))) (i32.const 2)))
            (f32.load (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (i32.add (local.get $i) (local.get $k)) (local.get $C)) (local.get $j)) (i32.const 2)))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $lk (i32.lt_s (local.get $k) (i32.const 4))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $lc)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $li)))
    ;; rows left over
    (block $dr (loop $lr
      (br_if $dr (i32.ge_s (local.get $i) (local.get $R)))
      (local.set $j (i32.const 0))
      (block $dj1 (loop $lj1
        (br_if $dj1 (i32.ge_s (local.get $j) (local.get $C)))
        (f32.store (i32.add (local.get $y) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $ldy)) (local.get $i)) (i32.const 2)))
          (f32.load (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $C)) (local.get $j)) (i32.const 2)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $lj1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $lr))))

  ;; ---- residual with layer scale (D a multiple of 4) --------------------------------------------------

  ;; y = x + br·g (g [D] broadcast over the M rows)
  (func (export "scale_add") (param $x i32) (param $br i32) (param $g i32) (param $y i32) (param $M i32) (param $D i32)
    (local $r i32) (local $c i32) (local $DB i32) (local $off i32)
    (local.set $DB (i32.shl (local.get $D) (i32.const 2)))
    (block $dr (loop $lr
      (br_if $dr (i32.ge_s (local.get $r) (local.get $M)))
      (local.set $c (i32.const 0))
      (loop $lc
        (local.set $off (i32.add (i32.mul (local.get $r) (local.get $DB)) (local.get $c)))
        (v128.store (i32.add (local.get $y) (local.get $off))
          (f32x4.add (v128.load (i32.add (local.get $x) (local.get $off)))
                     (f32x4.mul (v128.load (i32.add (local.get $br) (local.get $off))) (v128.load (i32.add (local.get $g) (local.get $c))))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br_if $lc (i32.lt_u (local.get $c) (local.get $DB))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $lr))))

  ;; dbr = dy·g; dg = Σ_rows dy·br
  (func (export "scale_add_bwd") (param $dy i32) (param $br i32) (param $g i32) (param $dbr i32) (param $dg i32) (param $M i32) (param $D i32)
    (local $r i32) (local $c i32) (local $DB i32) (local $off i32) (local $dyv v128)
    (local.set $DB (i32.shl (local.get $D) (i32.const 2)))
    (loop $z
      (v128.store (i32.add (local.get $dg) (local.get $c)) (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br_if $z (i32.lt_u (local.get $c) (local.get $DB))))
    (block $dr (loop $lr
      (br_if $dr (i32.ge_s (local.get $r) (local.get $M)))
      (local.set $c (i32.const 0))
      (loop $lc
        (local.set $off (i32.add (i32.mul (local.get $r) (local.get $DB)) (local.get $c)))
        (local.set $dyv (v128.load (i32.add (local.get $dy) (local.get $off))))
        (v128.store (i32.add (local.get $dbr) (local.get $off)) (f32x4.mul (local.get $dyv) (v128.load (i32.add (local.get $g) (local.get $c)))))
        (v128.store (i32.add (local.get $dg) (local.get $c))
          (f32x4.add (v128.load (i32.add (local.get $dg) (local.get $c))) (f32x4.mul (local.get $dyv) (v128.load (i32.add (local.get $br) (local.get $off))))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br_if $lc (i32.lt_u (local.get $c) (local.get $DB))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $lr))))

  ;; out[c] = Σ_r (x[r, c] − mean_c)² / M with mean_c = Σ_r x[r, c] / M: the biased per-column variance, two passes
  ;; as tf.moments (the label-free signals latent_std, target_var, pred_var).
  (func (export "col_var") (param $x i32) (param $out i32) (param $M i32) (param $N i32)
    (local $c i32) (local $r i32) (local $p i32) (local $NB i32) (local $s v128) (local $mean v128) (local $d v128) (local $mf v128)
    (local.set $NB (i32.shl (local.get $N) (i32.const 2)))
    (local.set $mf (f32x4.splat (f32.convert_i32_s (local.get $M))))
    (block $dc (loop $lc
      (br_if $dc (i32.ge_u (local.get $c) (local.get $NB)))
      ;; four columns at a time; the last group of a row whose width is not a multiple of 4 is read lane by lane
      (local.set $s (v128.const i32x4 0 0 0 0))
      (local.set $p (i32.add (local.get $x) (local.get $c)))
      (local.set $r (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_s (local.get $r) (local.get $M)))
        (local.set $s (f32x4.add (local.get $s) (call $load_cols (local.get $p) (i32.sub (local.get $NB) (local.get $c)))))
        (local.set $p (i32.add (local.get $p) (local.get $NB)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $l1)))
      (local.set $mean (f32x4.div (local.get $s) (local.get $mf)))
      (local.set $s (v128.const i32x4 0 0 0 0))
      (local.set $p (i32.add (local.get $x) (local.get $c)))
      (local.set $r (i32.const 0))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_s (local.get $r) (local.get $M)))
        (local.set $d (f32x4.sub (call $load_cols (local.get $p) (i32.sub (local.get $NB) (local.get $c))) (local.get $mean)))
        (local.set $s (f32x4.add (local.get $s) (f32x4.mul (local.get $d) (local.get $d))))
        (local.set $p (i32.add (local.get $p) (local.get $NB)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $l2)))
      (call $store_cols (i32.add (local.get $out) (local.get $c)) (f32x4.div (local.get $s) (local.get $mf)) (i32.sub (local.get $NB) (local.get $c)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $lc))))

  ;; Up to four floats at p (left = bytes left in the row); missing lanes are 0.
  (func $load_cols (param $p i32) (param $left i32) (result v128)
    (local $v v128)
    (if (i32.ge_u (local.get $left) (i32.const 16)) (then (return (v128.load (local.get $p)))))
    (local.set $v (f32x4.replace_lane 0 (v128.const i32x4 0 0 0 0) (f32.load (local.get $p))))
    (if (i32.ge_u (local.get $left) (i32.const 8)) (then (local.set $v (f32x4.replace_lane 1 (local.get $v) (f32.load offset=4 (local.get $p))))))
    (if (i32.ge_u (local.get $left) (i32.const 12)) (then (local.set $v (f32x4.replace_lane 2 (local.get $v) (f32.load offset=8 (local.get $p))))))
    (local.get $v))

  (func $store_cols (param $p i32) (param $v v128) (param $left i32)
    (if (i32.ge_u (local.get $left) (i32.const 16)) (then (v128.store (local.get $p) (local.get $v)) (return)))
    (f32.store (local.get $p) (f32x4.extract_lane 0 (local.get $v)))
    (if (i32.ge_u (local.get $left) (i32.const 8)) (then (f32.store offset=4 (local.get $p) (f32x4.extract_lane 1 (local.get $v)))))
    (if (i32.ge_u (local.get $left) (i32.const 12)) (then (f32.store offset=8 (local.get $p) (f32x4.extract_lane 2 (local.get $v))))))

    ;; ---- float32 Add, Sub and Multiply (op 0 add, 1 sub a − b, 2 mul, 3 reversed sub b − a) --------------

  ;; out = a op b over n floats (same shapes).
  (func (export "binary") (param $op i32) (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (if (i32.eq (local.get $op) (i32.const 0)) (then
    (block $d4add (loop $l4add
      (br_if $d4add (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.add (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l4add)))
    (block $d1add (loop $l1add
      (br_if $d1add (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i)) (f32.add (f32.load (i32.add (local.get $a) (local.get $i))) (f32.load (i32.add (local.get $b) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1add)))
      (return)))
    (if (i32.eq (local.get $op) (i32.const 1)) (then
    (block $d4sub (loop $l4sub
      (br_if $d4sub (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.sub (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l4sub)))
    (block $d1sub (loop $l1sub
      (br_if $d1sub (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i)) (f32.sub (f32.load (i32.add (local.get $a) (local.get $i))) (f32.load (i32.add (local.get $b) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1sub)))
      (return)))
    (if (i32.eq (local.get $op) (i32.const 2)) (then
    (block $d4mul (loop $l4mul
      (br_if $d4mul (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l4mul)))
    (block $d1mul (loop $l1mul
      (br_if $d1mul (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i)) (f32.mul (f32.load (i32.add (local.get $a) (local.get $i))) (f32.load (i32.add (local.get $b) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1mul)))
      (return)))
    (if (i32.eq (local.get $op) (i32.const 3)) (then
    (block $d4rsub (loop $l4rsub
      (br_if $d4rsub (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.sub (v128.load (i32.add (local.get $b) (local.get $i))) (v128.load (i32.add (local.get $a) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l4rsub)))
    (block $d1rsub (loop $l1rsub
      (br_if $d1rsub (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i)) (f32.sub (f32.load (i32.add (local.get $b) (local.get $i))) (f32.load (i32.add (local.get $a) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1rsub)))
      (return)))
    (unreachable))

  ;; out = a op s over n floats, s the float at $sp (a scalar, or a broadcast of one value).
  (func $binary_scalar (param $op i32) (param $a i32) (param $sp i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $s f32) (local $sv v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $s (f32.load (local.get $sp)))
    (local.set $sv (f32x4.splat (local.get $s)))
    (if (i32.eq (local.get $op) (i32.const 0)) (then
    (block $d4add (loop $l4add
      (br_if $d4add (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.add (v128.load (i32.add (local.get $a) (local.get $i))) (local.get $sv)))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l4add)))
    (block $d1add (loop $l1add
      (br_if $d1add (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i)) (f32.add (f32.load (i32.add (local.get $a) (local.get $i))) (local.get $s)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1add)))
      (return)))
    (if (i32.eq (local.get $op) (i32.const 1)) (then
    (block $d4sub (loop $l4sub
      (br_if $d4sub (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.sub (v128.load (i32.add (local.get $a) (local.get $i))) (local.get $sv)))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l4sub)))
    (block $d1sub (loop $l1sub
      (br_if $d1sub (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i)) (f32.sub (f32.load (i32.add (local.get $a) (local.get $i))) (local.get $s)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1sub)))
      (return)))
    (if (i32.eq (local.get $op) (i32.const 2)) (then
    (block $d4mul (loop $l4mul
      (br_if $d4mul (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $i))) (local.get $sv)))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l4mul)))
    (block $d1mul (loop $l1mul
      (br_if $d1mul (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i)) (f32.mul (f32.load (i32.add (local.get $a) (local.get $i))) (local.get $s)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1mul)))
      (return)))
    (if (i32.eq (local.get $op) (i32.const 3)) (then
    (block $d4rsub (loop $l4rsub
      (br_if $d4rsub (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.sub (local.get $sv) (v128.load (i32.add (local.get $a) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l4rsub)))
    (block $d1rsub (loop $l1rsub
      (br_if $d1rsub (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i)) (f32.sub (local.get $s) (f32.load (i32.add (local.get $a) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1rsub)))
      (return)))
    (unreachable))

  ;; out[r, c] = x[r, c] op v[c] for M rows of N floats (a bias, a per-column statistic, any trailing-shape broadcast).
  (func (export "binary_rows") (param $op i32) (param $x i32) (param $v i32) (param $out i32) (param $M i32) (param $N i32)
    (local $r i32) (local $NB i32)
    (if (i32.eq (local.get $N) (i32.const 1)) (then
      (call $binary_scalar (local.get $op) (local.get $x) (local.get $v) (local.get $out) (local.get $M))
      (return)))
    (local.set $NB (i32.shl (local.get $N) (i32.const 2)))
    (block $dr (loop $lr
      (br_if $dr (i32.ge_s (local.get $r) (local.get $M)))
      (call $binary_row (local.get $op) (local.get $x) (local.get $v) (local.get $out) (local.get $N))
      (local.set $x (i32.add (local.get $x) (local.get $NB)))
      (local.set $out (i32.add (local.get $out) (local.get $NB)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $lr))))

  (func $binary_row (param $op i32) (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (if (i32.eq (local.get $op) (i32.const 0)) (then
    (block $d4add (loop $l4add
      (br_if $d4add (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.add (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l4add)))
    (block $d1add (loop $l1add
      (br_if $d1add (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i)) (f32.add (f32.load (i32.add (local.get $a) (local.get $i))) (f32.load (i32.add (local.get $b) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1add)))
      (return)))
    (if (i32.eq (local.get $op) (i32.const 1)) (then
    (block $d4sub (loop $l4sub
      (br_if $d4sub (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.sub (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l4sub)))
    (block $d1sub (loop $l1sub
      (br_if $d1sub (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i)) (f32.sub (f32.load (i32.add (local.get $a) (local.get $i))) (f32.load (i32.add (local.get $b) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1sub)))
      (return)))
    (if (i32.eq (local.get $op) (i32.const 2)) (then
    (block $d4mul (loop $l4mul
      (br_if $d4mul (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l4mul)))
    (block $d1mul (loop $l1mul
      (br_if $d1mul (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i)) (f32.mul (f32.load (i32.add (local.get $a) (local.get $i))) (f32.load (i32.add (local.get $b) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1mul)))
      (return)))
    (if (i32.eq (local.get $op) (i32.const 3)) (then
    (block $d4rsub (loop $l4rsub
      (br_if $d4rsub (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.sub (v128.load (i32.add (local.get $b) (local.get $i))) (v128.load (i32.add (local.get $a) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l4rsub)))
    (block $d1rsub (loop $l1rsub
      (br_if $d1rsub (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i)) (f32.sub (f32.load (i32.add (local.get $b) (local.get $i))) (f32.load (i32.add (local.get $a) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1rsub)))
      (return)))
    (unreachable))

  ;; ---- the EMA teacher ---------------------------------------------------------------------------------

  ;; out = t·m + e·omm over n floats: the EMA teacher θ_t ← m·θ_t + (1−m)·θ_e, omm = 1−m rounded from float64
  ;; as the op-by-op version rounds it.
  (func (export "ema") (param $t i32) (param $e i32) (param $out i32) (param $n i32) (param $m f32) (param $omm f32)
    (local $i i32) (local $end i32) (local $mv v128) (local $ov v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $mv (f32x4.splat (local.get $m)))
    (local.set $ov (f32x4.splat (local.get $omm)))
    (block $d4 (loop $l4
      (br_if $d4 (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i))
        (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $t) (local.get $i))) (local.get $mv))
                   (f32x4.mul (v128.load (i32.add (local.get $e) (local.get $i))) (local.get $ov))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l4)))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $out) (local.get $i))
        (f32.add (f32.mul (f32.load (i32.add (local.get $t) (local.get $i))) (local.get $m))
                 (f32.mul (f32.load (i32.add (local.get $e) (local.get $i))) (local.get $omm))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1))))

  ;; ---- AdamW (one parameter tensor per call) -----------------------------------------------------------

  ;; g ← gs·g (the global-norm clip's scale; 1 = unclipped, exact); m' = b1·m + (1−b1)·g; v' = b2·v + (1−b2)·g²; u = (m'/c1)/(√(v'/c2) + eps) (+ wd·p when wd > 0); p' = p − lr·u.
  ;; omb1 = 1−b1 and omb2 = 1−b2 are passed rounded from float64, as the op-by-op version rounds them.
  (func (export "adamw") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $po i32) (param $mo i32) (param $vo i32) (param $n i32)
    (param $lr f32) (param $b1 f32) (param $omb1 f32) (param $b2 f32) (param $omb2 f32) (param $c1 f32) (param $c2 f32) (param $eps f32) (param $wd f32)
    (param $gs f32)
    (local $i i32) (local $end i32) (local $gv v128) (local $mv v128) (local $vv v128) (local $u v128) (local $pv v128)
    (local $lrv v128) (local $b1v v128) (local $o1v v128) (local $b2v v128) (local $o2v v128) (local $c1v v128) (local $c2v v128) (local $epsv v128) (local $wdv v128)
    (local $gsv v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $gsv (f32x4.splat (local.get $gs)))
    (local.set $lrv (f32x4.splat (local.get $lr)))
    (local.set $b1v (f32x4.splat (local.get $b1)))
    (local.set $o1v (f32x4.splat (local.get $omb1)))
    (local.set $b2v (f32x4.splat (local.get $b2)))
    (local.set $o2v (f32x4.splat (local.get $omb2)))
    (local.set $c1v (f32x4.splat (local.get $c1)))
    (local.set $c2v (f32x4.splat (local.get $c2)))
    (local.set $epsv (f32x4.splat (local.get $eps)))
    (local.set $wdv (f32x4.splat (local.get $wd)))
    (block $d4 (loop $l4
      (br_if $d4 (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
      (local.set $gv (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $i))) (local.get $gsv)))
      (local.set $pv (v128.load (i32.add (local.get $p) (local.get $i))))
      (local.set $mv (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (local.get $b1v)) (f32x4.mul (local.get $gv) (local.get $o1v))))
      (local.set $vv (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (local.get $b2v))
                                (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $o2v))))
      (local.set $u (f32x4.div (f32x4.div (local.get $mv) (local.get $c1v)) (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (local.get $c2v))) (local.get $epsv))))
      (if (f32.gt (local.get $wd) (f32.const 0))
        (then (local.set $u (f32x4.add (local.get $u) (f32x4.mul (local.get $pv) (local.get $wdv))))))
      (v128.store (i32.add (local.get $mo) (local.get $i)) (local.get $mv))
      (v128.store (i32.add (local.get $vo) (local.get $i)) (local.get $vv))
      (v128.store (i32.add (local.get $po) (local.get $i)) (f32x4.sub (local.get $pv) (f32x4.mul (local.get $u) (local.get $lrv))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l4)))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $gv (f32x4.mul (v128.load32_splat (i32.add (local.get $g) (local.get $i))) (local.get $gsv)))
      (local.set $pv (v128.load32_splat (i32.add (local.get $p) (local.get $i))))
      (local.set $mv (f32x4.add (f32x4.mul (v128.load32_splat (i32.add (local.get $m) (local.get $i))) (local.get $b1v)) (f32x4.mul (local.get $gv) (local.get $o1v))))
      (local.set $vv (f32x4.add (f32x4.mul (v128.load32_splat (i32.add (local.get $v) (local.get $i))) (local.get $b2v))
                                (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $o2v))))
      (local.set $u (f32x4.div (f32x4.div (local.get $mv) (local.get $c1v)) (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (local.get $c2v))) (local.get $epsv))))
      (if (f32.gt (local.get $wd) (f32.const 0))
        (then (local.set $u (f32x4.add (local.get $u) (f32x4.mul (local.get $pv) (local.get $wdv))))))
      (f32.store (i32.add (local.get $mo) (local.get $i)) (f32x4.extract_lane 0 (local.get $mv)))
      (f32.store (i32.add (local.get $vo) (local.get $i)) (f32x4.extract_lane 0 (local.get $vv)))
      (f32.store (i32.add (local.get $po) (local.get $i)) (f32x4.extract_lane 0 (f32x4.sub (local.get $pv) (f32x4.mul (local.get $u) (local.get $lrv)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1))))

  ;; Σ x² over n floats (global-norm clipping).
  (func (export "sumsq") (param $x i32) (param $n i32) (result f32)
    (local $i i32) (local $end i32) (local $a v128) (local $b v128) (local $s f32) (local $t f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $d8 (loop $l8
      (br_if $d8 (i32.gt_u (i32.add (local.get $i) (i32.const 32)) (local.get $end)))
      (local.set $a (f32x4.add (local.get $a) (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $i))) (v128.load (i32.add (local.get $x) (local.get $i))))))
      (local.set $b (f32x4.add (local.get $b) (f32x4.mul (v128.load offset=16 (i32.add (local.get $x) (local.get $i))) (v128.load offset=16 (i32.add (local.get $x) (local.get $i))))))
      (local.set $i (i32.add (local.get $i) (i32.const 32)))
      (br $l8)))
    (local.set $s (call $hsum (f32x4.add (local.get $a) (local.get $b))))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $t (f32.load (i32.add (local.get $x) (local.get $i))))
      (local.set $s (f32.add (local.get $s) (f32.mul (local.get $t) (local.get $t))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1)))
    (local.get $s))
)
