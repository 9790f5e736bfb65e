// Softmax cross-entropy with soft targets and optional per-class weights (the colorization loss of
// Zhang, Isola & Efros 2016, "Colorful Image Colorization", eq. 2-4). Fused with its own
// log-softmax (log-sum-exp with the max subtracted); the softmax layer in layers/softmax.h is a
// separate kernel. Not here: hard integer labels (pass one-hot targets), label smoothing.
#pragma once

#include <vector>

#include "core/tensor.h"

namespace neuroshop {

// logits:       (N,C) or (N,C,H,W); a "position" p is one n (rank 2) or one (n,h,w) (rank 4).
// target_probs: same shape; at each position a non-negative distribution over the C classes
//               (need not sum to 1: the gradient below is exact for any non-negative targets).
// class_weights: optional, C non-negative entries w_c.
//
//   log s_{p,c} = z_{p,c} - log sum_k exp(z_{p,k})                      (log-softmax)
//   v_p         = w_{argmax_c t_{p,c}} with class weights, else 1      (first maximum wins;
//                 Zhang 2016: the weight of the pixel's nearest ab bin)
//   L           = (1/P) sum_p v_p ( - sum_c t_{p,c} log s_{p,c} )       P = N*H*W positions
//   dL/dz_{p,c} = (v_p / P) ( s_{p,c} * sum_k t_{p,k}  -  t_{p,c} )
// (the usual s - t when the targets sum to 1). Note the mean over positions is not divided by
// sum_p v_p, unlike torch's weighted cross_entropy with hard labels.
// When dlogits is non-null it is replaced by a fresh tensor holding the gradient (not accumulated).
// Throws ShapeError on mismatched shapes and ArgumentError on negative or non-finite targets or a
// wrong number of class weights.
double cross_entropy_loss(const Tensor& logits, const Tensor& target_probs,
                          const std::vector<float>* class_weights = nullptr, Tensor* dlogits = nullptr);

}  // namespace neuroshop
