// SkipConcat and Residual; see skip.h.
#include "core/layers/skip.h"

#include "core/errors.h"
#include "core/kernels/concat.h"
#include "core/layer_type.h"

namespace neuroshop {

namespace {

std::unique_ptr<Layer> require_body(std::unique_ptr<Layer> body, const std::string& who) {
  if (!body) throw ArgumentError(who + ": the body must not be null");
  return body;
}

}  // namespace

// ---- SkipConcat -------------------------------------------------------------------------------

SkipConcat::SkipConcat(std::unique_ptr<Layer> body, std::string name)
    : Container(std::move(name)), body_(require_body(std::move(body), who("SkipConcat"))) {}

Layer& SkipConcat::child(size_t i) {
  if (i != 0) throw ArgumentError(who("SkipConcat") + ": has one child, asked for " + std::to_string(i));
  return *body_;
}
const Layer& SkipConcat::child(size_t i) const { return const_cast<SkipConcat*>(this)->child(i); }
Shape SkipConcat::child_input_shape(size_t i, const Shape& in) const {
  child(i);
  return in;
}

Shape SkipConcat::output_shape(const Shape& in) const {
  return concat_channels_shape(in, body_->output_shape(in), who("SkipConcat"));
}

// x (N,C,H,W), b = body(x) (N,B,H,W)  ->  y = [x, b] (N,C+B,H,W)
Tensor SkipConcat::forward(const Tensor& x) {
  const Tensor b = body_->forward(x);
  Tensor y = concat_channels(x, b, who("SkipConcat") + " (input and body output)");
  x_channels_ = x.dim(1);
  y_shape_ = y.shape();
  return y;
}

// forward was:  y = [x, body(x)]
// so:           dx = dy[:, :C] + body.backward(dy[:, C:])   (x reaches y along both paths)
Tensor SkipConcat::backward(const Tensor& dy) {
  expect_forward_ran(x_channels_ >= 0, "SkipConcat");
  expect_same_shape(dy.shape(), y_shape_, who("SkipConcat") + " backward");
  auto [dx, db] = split_channels(dy, x_channels_, who("SkipConcat") + " backward");
  add_inplace(dx, body_->backward(db), who("SkipConcat") + " backward (body dx)");
  return dx;
}

LayerSpec SkipConcat::spec() const { return LayerSpec{"SkipConcat", name_, {}, {body_->spec()}}; }

LayerType SkipConcat::layer_type() {
  return {"SkipConcat", {}, 1, 1, [](const LayerSpec& s, MakeLayerFn make_child) -> std::unique_ptr<Layer> {
            return std::make_unique<SkipConcat>(make_child(s.children[0]), s.name);
          }};
}

// ---- Residual ---------------------------------------------------------------------------------

Residual::Residual(std::unique_ptr<Layer> body, std::string name)
    : Container(std::move(name)), body_(require_body(std::move(body), who("Residual"))) {}

Layer& Residual::child(size_t i) {
  if (i != 0) throw ArgumentError(who("Residual") + ": has one child, asked for " + std::to_string(i));
  return *body_;
}
const Layer& Residual::child(size_t i) const { return const_cast<Residual*>(this)->child(i); }
Shape Residual::child_input_shape(size_t i, const Shape& in) const {
  child(i);
  return in;
}

Shape Residual::output_shape(const Shape& in) const {
  const Shape b = body_->output_shape(in);
  if (b != in)
    throw ShapeError(who("Residual") + ": the body must keep the shape, but maps " + in.str() + " to " + b.str());
  return in;
}

// y = x + body(x); a fresh tensor, since body(x) may be a buffer the body caches
Tensor Residual::forward(const Tensor& x) {
  const Tensor b = body_->forward(x);
  if (b.shape() != x.shape())
    throw ShapeError(who("Residual") + ": the body must keep the shape, but maps " + x.shape().str() + " to " +
                     b.shape().str());
  Tensor y = add(x, b, who("Residual"));
  forward_ran_ = true;
  y_shape_ = y.shape();
  return y;
}

// forward was:  y = x + body(x)
// so:           dx = dy + body.backward(dy)
Tensor Residual::backward(const Tensor& dy) {
  expect_forward_ran(forward_ran_, "Residual");
  expect_same_shape(dy.shape(), y_shape_, who("Residual") + " backward");
  return add(dy, body_->backward(dy), who("Residual") + " backward");
}

LayerSpec Residual::spec() const { return LayerSpec{"Residual", name_, {}, {body_->spec()}}; }

LayerType Residual::layer_type() {
  return {"Residual", {}, 1, 1, [](const LayerSpec& s, MakeLayerFn make_child) -> std::unique_ptr<Layer> {
            return std::make_unique<Residual>(make_child(s.children[0]), s.name);
          }};
}

}  // namespace neuroshop
