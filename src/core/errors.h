// neuroshop::Error and its few subclasses: what the library throws.
// The library never exits or aborts; the CLI turns these into one-line `error: ...` messages.
#pragma once

#include <stdexcept>
#include <string>

namespace neuroshop {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A tensor arrived with a shape the receiver cannot take.
class ShapeError : public Error {
 public:
  using Error::Error;
};

// A file could not be read or written, or its contents are not what was expected.
class IoError : public Error {
 public:
  using Error::Error;
};

// A model file is missing, truncated, corrupt, of another version or architecture.
class ModelError : public Error {
 public:
  using Error::Error;
};

// A user-supplied value is out of its allowed range.
class ArgumentError : public Error {
 public:
  using Error::Error;
};

}  // namespace neuroshop
