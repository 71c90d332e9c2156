;; The two separable passes of Pillow's 8-bit resampling, on RGBA pixels with 128-bit SIMD.
;; Built into resampleWasm.ts by scripts/build-resample-wasm.sh; resample.ts drives it.
;;
;; Each pass: acc = 2^21 (rounding) + sum of pixel * weight (weights: i32 fixed point, 22
;; fractional bits, so every sum fits in i32 exactly as in Pillow's C), then acc >> 22 clamped to
;; 0..255 by the saturating narrows (i32 -> i16 signed, i16 -> u8). All four lanes are computed;
;; the alpha lane is then forced to 255 (PIL's RGB has no alpha).
;;
;; Kernel tables (first input index, tap count, weights with a stride of `taps` per output pixel)
;; are i32 arrays in memory. Pointers and strides are in bytes.
(module
  (import "env" "memory" (memory 1))

;; Output pixel x of each of `rows` rows: dst[y][x] = sum_i src[y][first[x] + i] * weights[x][i].
  ;; dst rows are packed (outWidth * 4 bytes each). Rows go in pairs to share each weight; an odd
  ;; count also computes one phantom row from the bytes after the last src row into the row after
  ;; the last dst row: the caller leaves a row of slack after both.
  (func (export "horizontal")
    (param $src i32) (param $srcStride i32) (param $rows i32) (param $dst i32) (param $outWidth i32)
    (param $first i32) (param $count i32) (param $weights i32) (param $taps i32)
    (local $x i32) (local $p i32) (local $w i32) (local $n i32) (local $dstStride i32)
    (local $wk v128) (local $acc v128) (local $acc2 v128)
    (local.set $taps (i32.shl (local.get $taps) (i32.const 2)))
    (local.set $dstStride (i32.shl (local.get $outWidth) (i32.const 2)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.le_s (local.get $rows) (i32.const 0)))
        (local.set $x (i32.const 0))
        (block $rowDone
          (loop $pixelLoop
            (br_if $rowDone (i32.ge_u (local.get $x) (local.get $outWidth)))
            (local.set $p (i32.add (local.get $src)
              (i32.shl (i32.load (i32.add (local.get $first) (i32.shl (local.get $x) (i32.const 2)))) (i32.const 2))))
            (local.set $n (i32.load (i32.add (local.get $count) (i32.shl (local.get $x) (i32.const 2)))))
            (local.set $w (i32.add (local.get $weights) (i32.mul (local.get $x) (local.get $taps))))
            (local.set $acc (i32x4.splat (i32.const 0x200000)))
            (local.set $acc2 (local.get $acc))
            (block $tapsDone
              (loop $tapLoop
                (br_if $tapsDone (i32.eqz (local.get $n)))
                (local.set $wk (i32x4.splat (i32.load (local.get $w))))
                (local.set $acc (i32x4.add (local.get $acc) (i32x4.mul (local.get $wk)
                  (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p)))))))
                (local.set $acc2 (i32x4.add (local.get $acc2) (i32x4.mul (local.get $wk)
                  (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
                    (v128.load32_zero (i32.add (local.get $p) (local.get $srcStride))))))))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (local.set $w (i32.add (local.get $w) (i32.const 4)))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $tapLoop)))
            ;; lanes 0-3: this row's RGBA; lanes 4-7: the next row's
            (local.set $acc (i16x8.narrow_i32x4_s
              (i32x4.shr_s (local.get $acc) (i32.const 22)) (i32x4.shr_s (local.get $acc2) (i32.const 22))))
            (local.set $acc (i8x16.narrow_i16x8_u (local.get $acc) (local.get $acc)))
            (i32.store (local.get $dst) (i32.or (i32x4.extract_lane 0 (local.get $acc)) (i32.const 0xff000000)))
            (i32.store (i32.add (local.get $dst) (local.get $dstStride))
              (i32.or (i32x4.extract_lane 1 (local.get $acc)) (i32.const 0xff000000)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $pixelLoop)))
        (local.set $src (i32.add (local.get $src) (i32.shl (local.get $srcStride) (i32.const 1))))
        (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 2)))
        (br $rowLoop))))

  ;; Output row y: dst[x] = sum_i src[first[y] - rowOffset + i][x] * weights[y][i], 4 pixels at a
  ;; time down the tap rows. The last group of a row may reach up to 12 bytes past the row in both
  ;; src and dst: the caller pads both buffers and writes rows in increasing order.
  (func (export "vertical")
    (param $src i32) (param $stride i32) (param $rowOffset i32) (param $dst i32) (param $width i32)
    (param $first i32) (param $count i32) (param $weights i32) (param $taps i32) (param $y i32)
    (local $base i32) (local $end i32) (local $p i32) (local $w i32) (local $n i32) (local $wk v128)
    (local $px v128) (local $lo v128) (local $hi v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $base (i32.add (local.get $src) (i32.mul
      (i32.sub (i32.load (i32.add (local.get $first) (i32.shl (local.get $y) (i32.const 2)))) (local.get $rowOffset))
      (local.get $stride))))
    (local.set $end (i32.add (local.get $base) (i32.shl (local.get $width) (i32.const 2))))
    (local.set $weights (i32.add (local.get $weights) (i32.shl (i32.mul (local.get $y) (local.get $taps)) (i32.const 2))))
    (local.set $count (i32.load (i32.add (local.get $count) (i32.shl (local.get $y) (i32.const 2)))))
    (block $rowDone
      (loop $groupLoop
        (br_if $rowDone (i32.ge_u (local.get $base) (local.get $end)))
        (local.set $a0 (i32x4.splat (i32.const 0x200000)))
        (local.set $a1 (local.get $a0))
        (local.set $a2 (local.get $a0))
        (local.set $a3 (local.get $a0))
        (local.set $p (local.get $base))
        (local.set $w (local.get $weights))
        (local.set $n (local.get $count))
        (block $tapsDone
          (loop $tapLoop
            (br_if $tapsDone (i32.eqz (local.get $n)))
            (local.set $px (v128.load (local.get $p)))
            (local.set $wk (i32x4.splat (i32.load (local.get $w))))
            (local.set $lo (i16x8.extend_low_i8x16_u (local.get $px)))
            (local.set $hi (i16x8.extend_high_i8x16_u (local.get $px)))
            (local.set $a0 (i32x4.add (local.get $a0) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $lo)) (local.get $wk))))
            (local.set $a1 (i32x4.add (local.get $a1) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $lo)) (local.get $wk))))
            (local.set $a2 (i32x4.add (local.get $a2) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $hi)) (local.get $wk))))
            (local.set $a3 (i32x4.add (local.get $a3) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $hi)) (local.get $wk))))
            (local.set $p (i32.add (local.get $p) (local.get $stride)))
            (local.set $w (i32.add (local.get $w) (i32.const 4)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $tapLoop)))
        (v128.store (local.get $dst)
          (v128.or
            (i8x16.narrow_i16x8_u
              (i16x8.narrow_i32x4_s (i32x4.shr_s (local.get $a0) (i32.const 22)) (i32x4.shr_s (local.get $a1) (i32.const 22)))
              (i16x8.narrow_i32x4_s (i32x4.shr_s (local.get $a2) (i32.const 22)) (i32x4.shr_s (local.get $a3) (i32.const 22))))
            (v128.const i32x4 0xff000000 0xff000000 0xff000000 0xff000000)))
        (local.set $base (i32.add (local.get $base) (i32.const 16)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $groupLoop))))
)
