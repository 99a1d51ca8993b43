// Reads a NuHepMC file with HepMC3's own ASCII reader and prints, one item per line (tab-separated),
// what it finds: the run info (tools, weight names, every attribute as a string, the NuHepMC scalars
// parsed by HepMC3's typed attributes, the id lists parsed as integers) and, per event, its units,
// weights, attributes and vertex/particle records. Used by test/io/nuhepmc-hepmc3.test.ts; needs
// Debian's libhepmc3-dev (HepMC3 >= 3.1). Build: g++ -std=c++11 read-nuhepmc.cc -lHepMC3
#include <HepMC3/GenEvent.h>
#include <HepMC3/GenParticle.h>
#include <HepMC3/GenRunInfo.h>
#include <HepMC3/GenVertex.h>
#include <HepMC3/ReaderAscii.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace HepMC3;

// Whitespace-separated numbers of a list attribute; false when a token does not parse completely.
template <typename T>
static bool parse_list(const std::string &text, std::vector<T> &out, T (*conv)(const char *, char **)) {
  std::istringstream in(text);
  std::string tok;
  while (in >> tok) {
    char *end = nullptr;
    T v = conv(tok.c_str(), &end);
    if (end == tok.c_str() || *end != '\0') return false;
    out.push_back(v);
  }
  return true;
}
static long to_long(const char *s, char **e) { return std::strtol(s, e, 10); }
static double to_double(const char *s, char **e) { return std::strtod(s, e); }

static bool is_id_list(const std::string &name) {
  return name == "NuHepMC.ProcessIDs" || name == "NuHepMC.VertexStatusIDs" || name == "NuHepMC.ParticleStatusIDs" ||
         name == "NuHepMC.AdditionalParticleNumbers";
}
static bool is_int(const std::string &name) {
  return name.compare(0, 16, "NuHepMC.Version.") == 0;
}
static bool is_double(const std::string &name) {
  return name == "NuHepMC.FluxAveragedTotalCrossSection" || name.find("MonoEnergetic.Energy") != std::string::npos;
}

static void print_run_info(const std::shared_ptr<GenRunInfo> &run) {
  if (!run) {
    std::cout << "norun\n";
    return;
  }
  for (const auto &t : run->tools()) std::cout << "tool\t" << t.name << "\t" << t.version << "\t" << t.description << "\n";
  for (const auto &w : run->weight_names()) std::cout << "weightname\t" << w << "\n";
  for (const auto &name : run->attribute_names()) {
    const std::string value = run->attribute_as_string(name);
    std::cout << "runattr\t" << name << "\t" << value << "\n";
    if (is_int(name)) {
      auto a = run->attribute<IntAttribute>(name);
      std::cout << "runint\t" << name << "\t" << (a ? std::to_string(a->value()) : std::string("!")) << "\n";
    } else if (is_double(name)) {
      auto a = run->attribute<DoubleAttribute>(name);
      std::cout << "rundouble\t" << name << "\t";
      if (a) std::cout << a->value(); else std::cout << "!";
      std::cout << "\n";
    } else if (is_id_list(name)) {
      std::vector<long> ids;
      std::cout << "runints\t" << name << "\t";
      if (parse_list(value, ids, to_long)) for (size_t i = 0; i < ids.size(); i++) std::cout << (i ? " " : "") << ids[i];
      else std::cout << "!";
      std::cout << "\n";
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    std::cerr << "usage: read-nuhepmc FILE\n";
    return 2;
  }
  ReaderAscii reader(argv[1]);
  if (reader.failed()) {
    std::cerr << "cannot open " << argv[1] << "\n";
    return 1;
  }
  long events = 0;
  bool run_printed = false;
  std::cout.precision(17);
  while (!reader.failed()) {
    GenEvent evt(Units::GEV, Units::MM);
    reader.read_event(evt);
    if (reader.failed()) break;
    if (!run_printed) {
      print_run_info(reader.run_info());
      run_printed = true;
    }
    const int n = evt.event_number();
    std::cout << "event\t" << n << "\t" << Units::name(evt.momentum_unit()) << "\t" << Units::name(evt.length_unit()) << "\t"
              << evt.vertices().size() << "\t" << evt.particles().size() << "\t";
    for (size_t i = 0; i < evt.weights().size(); i++) std::cout << (i ? "," : "") << evt.weights()[i];
    std::cout << "\n";
    for (const auto &name : evt.attribute_names(0)) {
      std::cout << "evattr\t" << n << "\t" << name << "\t" << evt.attribute_as_string(name, 0) << "\n";
      if (name == "signal_process_id") {
        auto a = evt.attribute<IntAttribute>(name, 0);
        std::cout << "evint\t" << n << "\t" << name << "\t" << (a ? std::to_string(a->value()) : std::string("!")) << "\n";
      } else if (name == "tot_xs" || name == "proc_xs") {
        auto a = evt.attribute<DoubleAttribute>(name, 0);
        std::cout << "evdouble\t" << n << "\t" << name << "\t";
        if (a) std::cout << a->value(); else std::cout << "!";
        std::cout << "\n";
      } else if (name == "lab_pos") {
        std::vector<double> pos;
        std::cout << "evdoubles\t" << n << "\t" << name << "\t";
        if (parse_list(evt.attribute_as_string(name, 0), pos, to_double)) for (size_t i = 0; i < pos.size(); i++) std::cout << (i ? " " : "") << pos[i];
        else std::cout << "!";
        std::cout << "\n";
      }
    }
    for (const auto &v : evt.vertices()) {
      std::cout << "vertex\t" << n << "\t" << v->id() << "\t" << v->status() << "\t" << v->particles_in().size() << "\t" << v->particles_out().size() << "\n";
    }
    for (const auto &p : evt.particles()) {
      const FourVector &m = p->momentum();
      std::cout << "particle\t" << n << "\t" << p->id() << "\t" << p->pid() << "\t" << p->status() << "\t" << m.px() << "\t" << m.py() << "\t" << m.pz()
                << "\t" << m.e() << "\t" << p->generated_mass() << "\n";
    }
    events++;
  }
  if (!run_printed) print_run_info(reader.run_info());
  std::cout << "events\t" << events << "\n";
  reader.close();
  return 0;
}
