// The single TF.js import of the engine. The union package registers the gradients (tfjs-core alone does not).
import * as tf from '@tensorflow/tfjs';

export { tf };
export type Tensor = tf.Tensor;
export type Tensor1D = tf.Tensor1D;
export type Tensor2D = tf.Tensor2D;
export type Tensor3D = tf.Tensor3D;
export type Scalar = tf.Scalar;
export type Variable = tf.Variable;
