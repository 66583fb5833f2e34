// The store's HTML, in the shape of docs/store-html.md (the contract with
// crawler/). Pure functions of the catalogue: same input, same bytes.
#pragma once

#include <string>
#include <vector>

#include "samplestore/catalogue.h"

namespace cratedig::samplestore {

// Escapes & < > " ' for text and attribute values.
std::string HtmlEscape(const std::string& s);

// "/{slug}/back-cat/releases/{page}/?order=date_down&items_per_page=100"
std::string ListingPath(const std::string& slug, int page);

// One page of a genre listing. `items` are that page's releases in order;
// `has_next` adds the a[title="Next Page"] link to page + 1.
std::string RenderListingPage(const ListingDef& listing, int page,
                              bool has_next,
                              const std::vector<const ReleaseTruth*>& items);

// A release's product page. `malformed` drops the closing tags of the page
// wrappers and of the meta block, the label, every duration meta and BPM
// (the names, artists and preview links stay well-formed).
std::string RenderProductPage(const ReleaseTruth& release, bool malformed);

// Disallow: /search/, /cart/, /account/; "Crawl-delay" when > 0.
std::string RenderRobots(double crawl_delay);

// The front page: links to every listing's first page.
std::string RenderHomePage();

// What a disallowed or unknown path answers.
std::string RenderSimplePage(const std::string& title, const std::string& text);

}  // namespace cratedig::samplestore
