// exp for float, written so that a loop over it vectorizes (no call, no branch): Cody-Waite range
// reduction x = n ln2 + r with |r| <= ln2/2, Cephes' degree-5 polynomial for e^r (relative error
// below 1e-7 on [-87, 88], about 1 ulp), and 2^n built in the exponent bits. Inputs are clamped to
// [-87.3, 88], where 2^n stays a normal float: results below e^-87.3 (~1.2e-38) come out as
// ~1.2e-38 instead of a denormal, which no caller can tell from 0 next to a sum of at least 1.
#pragma once

#include <cstdint>
#include <cstring>

namespace neuroshop {

inline float fast_exp(float x) {
  x = x < -87.3f ? -87.3f : x;
  x = x > 88.0f ? 88.0f : x;  // NaN passes both clamps and comes out NaN
  // n = round(x / ln2) by the 1.5 * 2^23 trick: exact for |x / ln2| < 2^22, branch-free
  const float shifted = x * 1.44269504088896341f + 12582912.0f;
  const float n = shifted - 12582912.0f;
  float r = x - n * 0.693359375f;  // ln2 split in two: the first part has few bits, so n * it is exact
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // n sits in the low mantissa bits of `shifted`; unsigned arithmetic (wrapping, no float-to-int
  // conversion) keeps it defined for NaN too, whose garbage exponent multiplies a NaN anyway
  uint32_t shifted_bits;
  std::memcpy(&shifted_bits, &shifted, sizeof shifted_bits);
  const uint32_t bits = (shifted_bits - 0x4B400000u + 127u) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

}  // namespace neuroshop
