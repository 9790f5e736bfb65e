// The losses of neural style transfer (Gatys, Ecker & Bethge 2016; Johnson et al. 2016): Gram
// matrices of feature maps, the style (Gram) loss and the total-variation smoothness loss.
// Plain functions, value and gradient side by side. Not here: the content loss (mse_loss in
// regression.h) and the feature network.
#pragma once

#include "core/tensor.h"

namespace neuroshop {

// features (N,C,H,W) -> G (N,C,C), per image with F the C x (H*W) matrix of its features:
//   G = F F^T / (C*H*W)
// The normalization by C*H*W (the number of feature values) is what torch-style code usually does
// (e.g. the PyTorch neural-style tutorial with a batch of one), so style weights carry over.
Tensor gram_matrix(const Tensor& features);

// Backward of gram_matrix: features (N,C,H,W), dG (N,C,C) -> dF (N,C,H,W) (fresh):
//   dF = (dG + dG^T) F / (C*H*W)
Tensor gram_matrix_backward(const Tensor& features, const Tensor& dG);

// features (N,C,H,W); target_gram (N,C,C), or (1,C,C) shared by every image of the batch.
//   L = (1/(N*C*C)) sum_{n,i,j} (G_nij - T_nij)^2          (the mean squared difference)
//   dL/dG = 2 (G - T) / (N*C*C),  dL/dF through gram_matrix_backward.
// When dfeatures is non-null it is replaced by a fresh tensor holding the gradient.
double gram_loss(const Tensor& features, const Tensor& target_gram, Tensor* dfeatures = nullptr);

// image (N,C,H,W), squared differences of vertical and horizontal neighbours over the element count:
//   L = (1/(N*C*H*W)) sum_{n,c} [ sum_{h<H-1,w} (x[h+1][w] - x[h][w])^2 + sum_{h,w<W-1} (x[h][w+1] - x[h][w])^2 ]
//   dL/dx[h][w] = (2/(N*C*H*W)) [ (x[h][w]-x[h-1][w]) - (x[h+1][w]-x[h][w]) + (x[h][w]-x[h][w-1]) - (x[h][w+1]-x[h][w]) ]
//   with the terms of missing neighbours dropped at the borders.
// (jcjohnson's neural-style uses the same squared differences, summed rather than averaged.)
// When dimage is non-null it is replaced by a fresh tensor holding the gradient.
double total_variation_loss(const Tensor& image, Tensor* dimage = nullptr);

}  // namespace neuroshop
