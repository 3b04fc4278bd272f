// Closed-form inner objectives f(x, θ) for the reproductions and the CLI, each a SmoothObjective
// with exact gradients, Hessian-vector products and cross derivatives ∂θ∇ₓf.
//
// Regularisation: λ = θ[0] (Reg::direct) or λ = exp(θ[0]) (Reg::log, the usual hyper-parameter
// search in log space).
#pragma once

#include "descent/implicit/mappings.hpp"

namespace descent::implicit {

enum class Reg { direct, log };
/// λ from θ[0].
double reg_value(Reg reg, double theta0);

/// Ridge (jaxopt convention): f(w, θ) = 1/(2n)||Xw − y||² + ½λ||w||².
SmoothObjective ridge(Mat x, Vec y, Reg reg = Reg::direct);
/// Least squares without a penalty, θ unused (size dim_theta): the smooth part of the lasso.
SmoothObjective least_squares(Mat x, Vec y, Eigen::Index dim_theta = 1);

/// Multinomial logistic regression with k classes: W is p×k, flattened column-major,
/// f(W, θ) = mean_i CE(softmax(x_iᵀW), y_i) + ½λ||W||². labels in 0..k−1.
SmoothObjective softmax_regression(Mat x, Eigen::VectorXi labels, int classes,
                                   Reg reg = Reg::direct);
/// Cross-entropy of softmax(XW) against labels (the outer loss), and its gradient in W.
double softmax_loss(const Mat& x, const Eigen::VectorXi& labels, const Vec& w, int classes,
                    Vec* grad = nullptr);
/// Classification accuracy of argmax(XW).
double softmax_accuracy(const Mat& x, const Eigen::VectorXi& labels, const Vec& w, int classes);

/// Dataset distillation (jaxopt's notebook): the same softmax regression with fixed labels and
/// λ, but θ = the m training images (m×p, flattened column-major) and x = W (p×k).
SmoothObjective softmax_regression_on_data(Eigen::VectorXi labels, int classes, Eigen::Index p,
                                           double lambda);

/// The negated dual of the multiclass linear SVM (Crammer-Singer; jaxopt's
/// objective.multiclass_linear_svm_dual): β is n×k, flattened row-major (each row on the simplex),
///   f(β, θ) = 1/(2λ)||Xᵀ(Y − β)||² + ⟨β, Y − 1⟩,  Y one-hot.
/// The primal weights are W = Xᵀ(Y − β)/λ.
SmoothObjective svm_dual(Mat x, Eigen::VectorXi labels, int classes, Reg reg = Reg::direct);
/// W (p×k) from β for svm_dual.
Mat svm_primal(const Mat& x, const Eigen::VectorXi& labels, int classes, const Vec& beta,
               double lambda);

}  // namespace descent::implicit
