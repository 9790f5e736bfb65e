// Room objects that stay in front of the items placed behind them (`tryon --in-front X,Y`): the
// object under a clicked point is cut out of the room photo without a mask file, and its lowest
// row is taken as where it stands on the floor. An item whose floor contact is above that row
// (farther from the camera) is hidden behind the object; an item standing nearer is drawn over it.
// Segmentation: the colour-coherent region around the click (a flood fill) seeds OpenCV's GrabCut
// (Rother, Kolmogorov & Blake 2004) in a box grown from that region, upwards more than sideways
// (an object's top and back lie above the part one clicks); the region's eroded core and a disc at
// the click are sure object, everything outside the box sure background; the part connected to the
// click is kept. Works at most kInFrontSide px on the long side; the mask is scaled back.
// Why GrabCut and not the cut-out network (matte/): on the generated room of
// tests/apps/test_tryon_in_front.cpp this finds the box with IoU 1.00; the network, trained on one
// product against a plain backdrop, reaches 0.41 on a crop around the box and 0.22 on the room.
// Not here: the compositing (tryon.h uses the masks), the product-photo cut-out (matte/).
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace neuroshop::tryon {

constexpr int kInFrontSide = 512;

struct RoomObject {
  cv::Point2d point;        // the click, room pixels
  cv::Mat mask;             // CV_32F in [0, 1], room-sized: 1 on the object
  cv::Rect box;             // bounding box of mask > 0.5
  double contact_y = 0.0;   // the object's lowest row (mask > 0.5): where it stands on the floor
};

// room: BGR CV_32FC3 in [0, 1]. ArgumentError naming `who` (e.g. "--in-front 2") when the point
// is outside the room or nothing coherent is found there.
RoomObject segment_room_object(const cv::Mat& room, cv::Point2d point, const std::string& who);

// The occlusion for an item whose floor contact is at row item_contact_y: the largest mask of the
// objects standing nearer than it (contact_y greater), room-sized CV_32F; empty when none is.
// `in_front_of` (may be null) gets the indices of those objects.
cv::Mat occlusion_for(const std::vector<RoomObject>& objects, double item_contact_y, std::vector<int>* in_front_of);

}  // namespace neuroshop::tryon
