// Twist: the libev reactor. Importing Twist also imports TwistCore (protocols, DelayedCall, errors).
@_exported public import TwistCore
