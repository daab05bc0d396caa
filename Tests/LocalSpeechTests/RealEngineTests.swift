import Testing

/// Tests that run the real engines. Serialised: sessions share one Moonshine worker, and on a
/// 2-core machine parallel decoding only makes each test slower and its timing looser.
@Suite(.serialized) struct RealEngineTests {}
