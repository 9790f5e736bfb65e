// Room objects kept in front of items; see in_front.h.
#include "apps/tryon/in_front.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <opencv2/imgproc.hpp>

#include "core/errors.h"

namespace neuroshop::tryon {

RoomObject segment_room_object(const cv::Mat& room, cv::Point2d point, const std::string& who) {
  if (room.empty() || room.type() != CV_32FC3) throw ArgumentError(who + ": expected the room as BGR CV_32FC3");
  if (!(point.x >= 0 && point.x < room.cols && point.y >= 0 && point.y < room.rows))
    throw ArgumentError(who + ": expected X,Y inside the " + std::to_string(room.cols) + "x" + std::to_string(room.rows) +
                        " image, got " + std::to_string(static_cast<int>(point.x)) + "," +
                        std::to_string(static_cast<int>(point.y)));
  const double scale = std::min(1.0, static_cast<double>(kInFrontSide) / std::max(room.cols, room.rows));
  cv::Mat small;
  if (scale < 1.0) cv::resize(room, small, cv::Size(), scale, scale, cv::INTER_AREA);
  else small = room;
  cv::Mat bgr;
  small.convertTo(bgr, CV_8UC3, 255.0);
  const cv::Size size = bgr.size();
  const cv::Point click(std::clamp(static_cast<int>(point.x * scale), 0, size.width - 1),
                        std::clamp(static_cast<int>(point.y * scale), 0, size.height - 1));
  const int side = std::max(size.width, size.height);

  // The colour-coherent region under the click (neighbour to neighbour, so shading is followed).
  cv::Mat smooth;
  cv::GaussianBlur(bgr, smooth, cv::Size(0, 0), 2.0);
  cv::Mat flood = cv::Mat::zeros(size.height + 2, size.width + 2, CV_8U);
  cv::floodFill(smooth, flood, click, cv::Scalar(), nullptr, cv::Scalar::all(4), cv::Scalar::all(4),
                4 | cv::FLOODFILL_MASK_ONLY | (255 << 8));
  cv::Mat region = flood(cv::Rect(1, 1, size.width, size.height)).clone();
  const double area = size.area();
  const int disc = std::max(2, side / 60);
  // A region that leaked into the wall or floor, or a speck, says little: then only a disc.
  const int count = cv::countNonZero(region);
  if (count > 0.3 * area || count < 2 * disc * disc) {
    region.setTo(0);
    cv::circle(region, click, 3 * disc, cv::Scalar(255), cv::FILLED);
  }
  cv::Mat core;
  cv::erode(region, core, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * disc + 1, 2 * disc + 1)));
  cv::circle(core, click, disc, cv::Scalar(255), cv::FILLED);

  // GrabCut in a box around the region, grown on every side the object still reaches (up to four
  // times): inside the box probably object, outside surely not.
  const cv::Rect image(0, 0, size.width, size.height);
  const cv::Rect r = cv::boundingRect(region);
  cv::Rect box = cv::Rect(r.x - r.width / 4 - disc, r.y - 3 * r.height / 5 - disc, r.width + r.width / 2 + 2 * disc,
                          r.height + 3 * r.height / 5 + r.height / 5 + 2 * disc) & image;
  cv::Mat object;
  for (int round = 0; round < 5; ++round) {
    cv::Mat mask(size, CV_8U, cv::Scalar(cv::GC_BGD));
    mask(box).setTo(cv::GC_PR_FGD);
    mask.setTo(cv::GC_FGD, core);
    cv::Mat bgd_model, fgd_model;
    cv::grabCut(bgr, mask, box, bgd_model, fgd_model, 4, cv::GC_INIT_WITH_MASK);
    object = (mask == cv::GC_FGD) | (mask == cv::GC_PR_FGD);
    cv::Mat labels;
    cv::connectedComponents(object, labels, 8, CV_32S);
    object = labels == labels.at<int>(click);
    // Which sides of the box the object runs into (over a tenth of that side), away from the image edge.
    const cv::Rect o = cv::boundingRect(object);
    auto reaches = [&](const cv::Rect& strip, int length) {
      return cv::countNonZero(object(strip & image)) > length / 10;
    };
    const int grow_x = std::max(disc, box.width / 2), grow_y = std::max(disc, box.height / 2);
    cv::Rect next = box;
    if (box.x > 0 && o.x <= box.x + 1 && reaches(cv::Rect(box.x, box.y, 2, box.height), box.height)) {
      next.x -= grow_x;
      next.width += grow_x;
    }
    if (box.br().x < size.width && o.br().x >= box.br().x - 1 && reaches(cv::Rect(box.br().x - 2, box.y, 2, box.height), box.height))
      next.width += grow_x;
    if (box.y > 0 && o.y <= box.y + 1 && reaches(cv::Rect(box.x, box.y, box.width, 2), box.width)) {
      next.y -= grow_y;
      next.height += grow_y;
    }
    if (box.br().y < size.height && o.br().y >= box.br().y - 1 && reaches(cv::Rect(box.x, box.br().y - 2, box.width, 2), box.width))
      next.height += grow_y / 2;
    next &= image;
    if (next == box) break;
    box = next;
  }
  cv::morphologyEx(object, object, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(5, 5)));

  RoomObject out;
  out.point = point;
  cv::Mat soft;
  object.convertTo(soft, CV_32F, 1.0 / 255.0);
  if (scale < 1.0) cv::resize(soft, out.mask, room.size(), 0, 0, cv::INTER_LINEAR);
  else out.mask = soft;
  const cv::Mat solid = out.mask > 0.5f;
  if (cv::countNonZero(solid) == 0) throw ArgumentError(who + ": found no object at that point");
  out.box = cv::boundingRect(solid);
  out.contact_y = out.box.y + out.box.height - 1;
  return out;
}

cv::Mat occlusion_for(const std::vector<RoomObject>& objects, double item_contact_y, std::vector<int>* in_front_of) {
  cv::Mat occlusion;
  for (size_t k = 0; k < objects.size(); ++k) {
    if (!(objects[k].contact_y > item_contact_y)) continue;
    if (occlusion.empty()) occlusion = objects[k].mask.clone();
    else cv::max(occlusion, objects[k].mask, occlusion);
    if (in_front_of != nullptr) in_front_of->push_back(static_cast<int>(k));
  }
  return occlusion;
}

}  // namespace neuroshop::tryon
