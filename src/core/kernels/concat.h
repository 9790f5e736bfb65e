// Channel concatenation and its backward (the skip connections of a U-Net), plus an in-place add
// (the residual connection). Channels are dimension 1 of a tensor of rank >= 2: (N,C,...).
// Not here: concatenation along other axes, broadcasting adds.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "core/tensor.h"

namespace neuroshop {

// a (N,Ca,...), b (N,Cb,...) with the same trailing dimensions -> y (N,Ca+Cb,...):
//   y[n][c] = c < Ca ? a[n][c] : b[n][c - Ca]
// Throws ShapeError naming `who` when the shapes cannot be joined.
Tensor concat_channels(const Tensor& a, const Tensor& b, const std::string& who = "concat_channels");
// The shape concat_channels(a, b) would return; validates like it.
Shape concat_channels_shape(const Shape& a, const Shape& b, const std::string& who = "concat_channels");

// The backward of concat_channels: dy (N,Ca+Cb,...) -> (da (N,Ca,...), db (N,Cb,...)), since
//   da[n][c] = dy[n][c] and db[n][c] = dy[n][Ca + c].
std::pair<Tensor, Tensor> split_channels(const Tensor& dy, int64_t Ca, const std::string& who = "split_channels");

// y[i] = a[i] + b[i], a fresh tensor; shapes must be equal.
Tensor add(const Tensor& a, const Tensor& b, const std::string& who = "add");
// y[i] += x[i]; shapes must be equal.
void add_inplace(Tensor& y, const Tensor& x, const std::string& who = "add_inplace");

}  // namespace neuroshop
